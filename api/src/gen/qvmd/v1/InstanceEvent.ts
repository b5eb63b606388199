// Original file: api/proto/qvmd/v1/instance.proto

import type { Progress as _qvmd_v1_Progress, Progress__Output as _qvmd_v1_Progress__Output } from '../../qvmd/v1/Progress';
import type { Instance as _qvmd_v1_Instance, Instance__Output as _qvmd_v1_Instance__Output } from '../../qvmd/v1/Instance';

export interface InstanceEvent {
  'progress'?: (_qvmd_v1_Progress | null);
  'instance'?: (_qvmd_v1_Instance | null);
  'event'?: "progress"|"instance";
}

export interface InstanceEvent__Output {
  'progress'?: (_qvmd_v1_Progress__Output | null);
  'instance'?: (_qvmd_v1_Instance__Output | null);
  'event'?: "progress"|"instance";
}
