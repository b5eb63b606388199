// Original file: api/qvmd.proto


export interface DeleteNetworkRequest {
  'id'?: (string);
}

export interface DeleteNetworkRequest__Output {
  'id': (string);
}
