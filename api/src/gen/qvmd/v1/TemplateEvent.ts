// Original file: api/proto/qvmd/v1/template.proto

import type { Progress as _qvmd_v1_Progress, Progress__Output as _qvmd_v1_Progress__Output } from '../../qvmd/v1/Progress';
import type { Template as _qvmd_v1_Template, Template__Output as _qvmd_v1_Template__Output } from '../../qvmd/v1/Template';

export interface TemplateEvent {
  'progress'?: (_qvmd_v1_Progress | null);
  'template'?: (_qvmd_v1_Template | null);
  'event'?: "progress"|"template";
}

export interface TemplateEvent__Output {
  'progress'?: (_qvmd_v1_Progress__Output | null);
  'template'?: (_qvmd_v1_Template__Output | null);
  'event'?: "progress"|"template";
}
