// Original file: api/proto/qvmd/v1/dns_forwarder.proto


export interface GetDnsForwarderRequest {
  'id'?: (string);
}

export interface GetDnsForwarderRequest__Output {
  'id': (string);
}
