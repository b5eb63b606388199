// Original file: api/proto/qvmd/v1/instance.proto

import type { Instance as _qvmd_v1_Instance, Instance__Output as _qvmd_v1_Instance__Output } from '../../qvmd/v1/Instance';

export interface ListInstancesResponse {
  'instances'?: (_qvmd_v1_Instance)[];
}

export interface ListInstancesResponse__Output {
  'instances': (_qvmd_v1_Instance__Output)[];
}
