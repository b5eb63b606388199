// Original file: api/proto/qvmd/v1/template.proto

import type { TemplateSpec as _qvmd_v1_TemplateSpec, TemplateSpec__Output as _qvmd_v1_TemplateSpec__Output } from '../../qvmd/v1/TemplateSpec';
import type { Long } from '@grpc/proto-loader';

export interface Template {
  'spec'?: (_qvmd_v1_TemplateSpec | null);
  'state'?: (string);
  'state_bytes'?: (number | string | Long);
  'memory_bytes'?: (number | string | Long);
  'boot_ms'?: (number);
  'save_ms'?: (number);
  'image_id'?: (string);
  'users'?: (string)[];
  'serial_log'?: (string);
  'accel'?: (string);
}

export interface Template__Output {
  'spec': (_qvmd_v1_TemplateSpec__Output | null);
  'state': (string);
  'state_bytes': (number);
  'memory_bytes': (number);
  'boot_ms': (number);
  'save_ms': (number);
  'image_id': (string);
  'users': (string)[];
  'serial_log': (string);
  'accel': (string);
}
