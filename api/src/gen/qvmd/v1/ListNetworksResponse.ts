// Original file: api/proto/qvmd/v1/network.proto

import type { Network as _qvmd_v1_Network, Network__Output as _qvmd_v1_Network__Output } from '../../qvmd/v1/Network';

export interface ListNetworksResponse {
  'networks'?: (_qvmd_v1_Network)[];
}

export interface ListNetworksResponse__Output {
  'networks': (_qvmd_v1_Network__Output)[];
}
