// Original file: api/qvmd.proto


export interface DeleteNetworkResponse {
  'existed'?: (boolean);
}

export interface DeleteNetworkResponse__Output {
  'existed': (boolean);
}
