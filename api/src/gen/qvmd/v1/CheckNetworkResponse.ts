// Original file: api/proto/qvmd/v1/network.proto

import type { Violation as _qvmd_v1_Violation, Violation__Output as _qvmd_v1_Violation__Output } from '../../qvmd/v1/Violation';

export interface CheckNetworkResponse {
  'violations'?: (_qvmd_v1_Violation)[];
}

export interface CheckNetworkResponse__Output {
  'violations': (_qvmd_v1_Violation__Output)[];
}
