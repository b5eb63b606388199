// Original file: api/qvmd.proto


export interface GetInstanceRequest {
  'id'?: (string);
}

export interface GetInstanceRequest__Output {
  'id': (string);
}
