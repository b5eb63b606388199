// Original file: api/proto/qvmd/v1/network.proto


export interface DeleteNetworkRequest {
  'id'?: (string);
}

export interface DeleteNetworkRequest__Output {
  'id': (string);
}
