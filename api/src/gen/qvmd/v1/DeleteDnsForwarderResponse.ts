// Original file: api/qvmd.proto


export interface DeleteDnsForwarderResponse {
  'existed'?: (boolean);
}

export interface DeleteDnsForwarderResponse__Output {
  'existed': (boolean);
}
