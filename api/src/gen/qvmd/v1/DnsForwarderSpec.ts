// Original file: api/proto/qvmd/v1/dns_forwarder.proto

import type { DnsRecord as _qvmd_v1_DnsRecord, DnsRecord__Output as _qvmd_v1_DnsRecord__Output } from '../../qvmd/v1/DnsRecord';

export interface DnsForwarderSpec {
  'id'?: (string);
  'network_id'?: (string);
  'zone'?: (string);
  'upstreams'?: (string)[];
  'resolv_conf'?: (string);
  'hosts_file'?: (string);
  'records'?: (_qvmd_v1_DnsRecord)[];
  'owner'?: (string);
}

export interface DnsForwarderSpec__Output {
  'id': (string);
  'network_id': (string);
  'zone': (string);
  'upstreams': (string)[];
  'resolv_conf': (string);
  'hosts_file': (string);
  'records': (_qvmd_v1_DnsRecord__Output)[];
  'owner': (string);
}
