// Original file: api/proto/qvmd/v1/dns_forwarder.proto

import type { DnsForwarderSpec as _qvmd_v1_DnsForwarderSpec, DnsForwarderSpec__Output as _qvmd_v1_DnsForwarderSpec__Output } from '../../qvmd/v1/DnsForwarderSpec';

export interface DnsForwarder {
  'spec'?: (_qvmd_v1_DnsForwarderSpec | null);
  'address'?: (string);
  'port'?: (number);
  'upstream_source'?: (string);
  'upstreams_in_effect'?: (string)[];
  'names'?: (string)[];
}

export interface DnsForwarder__Output {
  'spec': (_qvmd_v1_DnsForwarderSpec__Output | null);
  'address': (string);
  'port': (number);
  'upstream_source': (string);
  'upstreams_in_effect': (string)[];
  'names': (string)[];
}
