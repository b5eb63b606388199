// Original file: api/proto/qvmd/v1/bridge.proto


export interface DeleteBridgeResponse {
  'existed'?: (boolean);
}

export interface DeleteBridgeResponse__Output {
  'existed': (boolean);
}
