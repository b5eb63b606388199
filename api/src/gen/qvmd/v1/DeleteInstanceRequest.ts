// Original file: api/proto/qvmd/v1/instance.proto


export interface DeleteInstanceRequest {
  'id'?: (string);
}

export interface DeleteInstanceRequest__Output {
  'id': (string);
}
