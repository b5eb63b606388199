// Original file: api/proto/qvmd/v1/dns_forwarder.proto


export interface DeleteDnsForwarderRequest {
  'id'?: (string);
}

export interface DeleteDnsForwarderRequest__Output {
  'id': (string);
}
