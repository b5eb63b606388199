// Original file: api/proto/qvmd/v1/template.proto

import type { TemplateSpec as _qvmd_v1_TemplateSpec, TemplateSpec__Output as _qvmd_v1_TemplateSpec__Output } from '../../qvmd/v1/TemplateSpec';

export interface ApplyTemplateRequest {
  'spec'?: (_qvmd_v1_TemplateSpec | null);
}

export interface ApplyTemplateRequest__Output {
  'spec': (_qvmd_v1_TemplateSpec__Output | null);
}
