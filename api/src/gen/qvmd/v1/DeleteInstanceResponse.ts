// Original file: api/proto/qvmd/v1/instance.proto


export interface DeleteInstanceResponse {
  'existed'?: (boolean);
}

export interface DeleteInstanceResponse__Output {
  'existed': (boolean);
}
