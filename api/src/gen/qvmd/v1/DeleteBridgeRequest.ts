// Original file: api/qvmd.proto


export interface DeleteBridgeRequest {
  'id'?: (string);
}

export interface DeleteBridgeRequest__Output {
  'id': (string);
}
