// Original file: api/qvmd.proto


export interface DeleteInstanceResponse {
  'existed'?: (boolean);
}

export interface DeleteInstanceResponse__Output {
  'existed': (boolean);
}
