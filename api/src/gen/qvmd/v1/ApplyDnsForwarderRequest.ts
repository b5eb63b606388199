// Original file: api/proto/qvmd/v1/dns_forwarder.proto

import type { DnsForwarderSpec as _qvmd_v1_DnsForwarderSpec, DnsForwarderSpec__Output as _qvmd_v1_DnsForwarderSpec__Output } from '../../qvmd/v1/DnsForwarderSpec';

export interface ApplyDnsForwarderRequest {
  'spec'?: (_qvmd_v1_DnsForwarderSpec | null);
}

export interface ApplyDnsForwarderRequest__Output {
  'spec': (_qvmd_v1_DnsForwarderSpec__Output | null);
}
