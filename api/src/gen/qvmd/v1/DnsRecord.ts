// Original file: api/proto/qvmd/v1/dns_forwarder.proto


export interface DnsRecord {
  'name'?: (string);
  'addresses'?: (string)[];
}

export interface DnsRecord__Output {
  'name': (string);
  'addresses': (string)[];
}
