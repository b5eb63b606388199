// Original file: api/proto/qvmd/v1/bridge.proto


export interface DeleteBridgeRequest {
  'id'?: (string);
}

export interface DeleteBridgeRequest__Output {
  'id': (string);
}
