// Original file: api/proto/qvmd/v1/instance.proto


export interface GetInstanceRequest {
  'id'?: (string);
}

export interface GetInstanceRequest__Output {
  'id': (string);
}
