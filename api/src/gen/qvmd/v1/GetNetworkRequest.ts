// Original file: api/proto/qvmd/v1/network.proto


export interface GetNetworkRequest {
  'id'?: (string);
}

export interface GetNetworkRequest__Output {
  'id': (string);
}
