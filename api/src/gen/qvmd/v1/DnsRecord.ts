// Original file: api/qvmd.proto


export interface DnsRecord {
  'name'?: (string);
  'addresses'?: (string)[];
}

export interface DnsRecord__Output {
  'name': (string);
  'addresses': (string)[];
}
