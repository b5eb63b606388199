// Original file: api/qvmd.proto


export interface GetNetworkRequest {
  'id'?: (string);
}

export interface GetNetworkRequest__Output {
  'id': (string);
}
