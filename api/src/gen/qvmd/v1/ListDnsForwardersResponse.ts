// Original file: api/proto/qvmd/v1/dns_forwarder.proto

import type { DnsForwarder as _qvmd_v1_DnsForwarder, DnsForwarder__Output as _qvmd_v1_DnsForwarder__Output } from '../../qvmd/v1/DnsForwarder';

export interface ListDnsForwardersResponse {
  'dns_forwarders'?: (_qvmd_v1_DnsForwarder)[];
}

export interface ListDnsForwardersResponse__Output {
  'dns_forwarders': (_qvmd_v1_DnsForwarder__Output)[];
}
