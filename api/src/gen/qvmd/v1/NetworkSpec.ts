// Original file: api/proto/qvmd/v1/network.proto

import type { DhcpSpec as _qvmd_v1_DhcpSpec, DhcpSpec__Output as _qvmd_v1_DhcpSpec__Output } from '../../qvmd/v1/DhcpSpec';

export interface NetworkSpec {
  'id'?: (string);
  'cidr'?: (string);
  'gateway'?: (string);
  'dhcp'?: (_qvmd_v1_DhcpSpec | null);
  'nat'?: (boolean);
  'mtu'?: (number);
  'owner'?: (string);
  'isolated'?: (boolean);
}

export interface NetworkSpec__Output {
  'id': (string);
  'cidr': (string);
  'gateway': (string);
  'dhcp': (_qvmd_v1_DhcpSpec__Output | null);
  'nat': (boolean);
  'mtu': (number);
  'owner': (string);
  'isolated': (boolean);
}
