// Original file: api/qvmd.proto


export interface DeleteInstanceRequest {
  'id'?: (string);
}

export interface DeleteInstanceRequest__Output {
  'id': (string);
}
