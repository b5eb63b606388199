// Original file: api/proto/qvmd/v1/network.proto

import type { NetworkSpec as _qvmd_v1_NetworkSpec, NetworkSpec__Output as _qvmd_v1_NetworkSpec__Output } from '../../qvmd/v1/NetworkSpec';

export interface CheckNetworkRequest {
  'spec'?: (_qvmd_v1_NetworkSpec | null);
}

export interface CheckNetworkRequest__Output {
  'spec': (_qvmd_v1_NetworkSpec__Output | null);
}
