// Original file: api/proto/qvmd/v1/dns_forwarder.proto


export interface DeleteDnsForwarderResponse {
  'existed'?: (boolean);
}

export interface DeleteDnsForwarderResponse__Output {
  'existed': (boolean);
}
