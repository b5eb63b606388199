// Original file: api/proto/qvmd/v1/bridge.proto

import type { Bridge as _qvmd_v1_Bridge, Bridge__Output as _qvmd_v1_Bridge__Output } from '../../qvmd/v1/Bridge';

export interface ListBridgesResponse {
  'bridges'?: (_qvmd_v1_Bridge)[];
}

export interface ListBridgesResponse__Output {
  'bridges': (_qvmd_v1_Bridge__Output)[];
}
