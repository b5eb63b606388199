// Original file: api/proto/qvmd/v1/instance.proto

import type { InstanceSpec as _qvmd_v1_InstanceSpec, InstanceSpec__Output as _qvmd_v1_InstanceSpec__Output } from '../../qvmd/v1/InstanceSpec';

export interface ApplyInstanceRequest {
  'spec'?: (_qvmd_v1_InstanceSpec | null);
}

export interface ApplyInstanceRequest__Output {
  'spec': (_qvmd_v1_InstanceSpec__Output | null);
}
