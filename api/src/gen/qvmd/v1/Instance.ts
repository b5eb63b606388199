// Original file: api/proto/qvmd/v1/instance.proto

import type { InstanceSpec as _qvmd_v1_InstanceSpec, InstanceSpec__Output as _qvmd_v1_InstanceSpec__Output } from '../../qvmd/v1/InstanceSpec';
import type { NicStatus as _qvmd_v1_NicStatus, NicStatus__Output as _qvmd_v1_NicStatus__Output } from '../../qvmd/v1/NicStatus';

export interface Instance {
  'spec'?: (_qvmd_v1_InstanceSpec | null);
  'state'?: (string);
  'pid'?: (number);
  'nics'?: (_qvmd_v1_NicStatus)[];
  'serial_log'?: (string);
  'accel'?: (string);
  'disk_gb'?: (number);
}

export interface Instance__Output {
  'spec': (_qvmd_v1_InstanceSpec__Output | null);
  'state': (string);
  'pid': (number);
  'nics': (_qvmd_v1_NicStatus__Output)[];
  'serial_log': (string);
  'accel': (string);
  'disk_gb': (number);
}
