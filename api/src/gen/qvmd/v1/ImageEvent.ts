// Original file: api/proto/qvmd/v1/image.proto

import type { Progress as _qvmd_v1_Progress, Progress__Output as _qvmd_v1_Progress__Output } from '../../qvmd/v1/Progress';
import type { Image as _qvmd_v1_Image, Image__Output as _qvmd_v1_Image__Output } from '../../qvmd/v1/Image';

export interface ImageEvent {
  'progress'?: (_qvmd_v1_Progress | null);
  'image'?: (_qvmd_v1_Image | null);
  'event'?: "progress"|"image";
}

export interface ImageEvent__Output {
  'progress'?: (_qvmd_v1_Progress__Output | null);
  'image'?: (_qvmd_v1_Image__Output | null);
  'event'?: "progress"|"image";
}
