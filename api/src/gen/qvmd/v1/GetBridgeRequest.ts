// Original file: api/proto/qvmd/v1/bridge.proto


export interface GetBridgeRequest {
  'id'?: (string);
}

export interface GetBridgeRequest__Output {
  'id': (string);
}
