// Original file: api/proto/qvmd/v1/network.proto


export interface DeleteNetworkResponse {
  'existed'?: (boolean);
}

export interface DeleteNetworkResponse__Output {
  'existed': (boolean);
}
