// Original file: api/qvmd.proto


export interface GetBridgeRequest {
  'id'?: (string);
}

export interface GetBridgeRequest__Output {
  'id': (string);
}
