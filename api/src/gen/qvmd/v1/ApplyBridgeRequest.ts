// Original file: api/proto/qvmd/v1/bridge.proto

import type { BridgeSpec as _qvmd_v1_BridgeSpec, BridgeSpec__Output as _qvmd_v1_BridgeSpec__Output } from '../../qvmd/v1/BridgeSpec';

export interface ApplyBridgeRequest {
  'spec'?: (_qvmd_v1_BridgeSpec | null);
}

export interface ApplyBridgeRequest__Output {
  'spec': (_qvmd_v1_BridgeSpec__Output | null);
}
