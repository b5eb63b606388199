// Original file: api/proto/qvmd/v1/network.proto

import type { NetworkSpec as _qvmd_v1_NetworkSpec, NetworkSpec__Output as _qvmd_v1_NetworkSpec__Output } from '../../qvmd/v1/NetworkSpec';

export interface Network {
  'spec'?: (_qvmd_v1_NetworkSpec | null);
  'namespace'?: (string);
  'bridge'?: (string);
  'host_interface'?: (string);
  'dhcp_server_address'?: (string);
  'dhcp_range_start'?: (string);
  'dhcp_range_end'?: (string);
  'drift'?: (string)[];
  'firewall_state'?: (string);
  'firewall_last_error'?: (string);
  'firewall_last_repaired_at'?: (string);
}

export interface Network__Output {
  'spec': (_qvmd_v1_NetworkSpec__Output | null);
  'namespace': (string);
  'bridge': (string);
  'host_interface': (string);
  'dhcp_server_address': (string);
  'dhcp_range_start': (string);
  'dhcp_range_end': (string);
  'drift': (string)[];
  'firewall_state': (string);
  'firewall_last_error': (string);
  'firewall_last_repaired_at': (string);
}
