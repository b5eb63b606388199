// Original file: api/proto/qvmd/v1/network.proto

import type { NetworkSpec as _qvmd_v1_NetworkSpec, NetworkSpec__Output as _qvmd_v1_NetworkSpec__Output } from '../../qvmd/v1/NetworkSpec';

export interface ApplyNetworkRequest {
  'spec'?: (_qvmd_v1_NetworkSpec | null);
}

export interface ApplyNetworkRequest__Output {
  'spec': (_qvmd_v1_NetworkSpec__Output | null);
}
