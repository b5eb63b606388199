// Original file: api/qvmd.proto


export interface DeleteBridgeResponse {
  'existed'?: (boolean);
}

export interface DeleteBridgeResponse__Output {
  'existed': (boolean);
}
