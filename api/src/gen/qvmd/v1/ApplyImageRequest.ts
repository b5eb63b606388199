// Original file: api/proto/qvmd/v1/image.proto

import type { ImageSpec as _qvmd_v1_ImageSpec, ImageSpec__Output as _qvmd_v1_ImageSpec__Output } from '../../qvmd/v1/ImageSpec';

export interface ApplyImageRequest {
  'spec'?: (_qvmd_v1_ImageSpec | null);
}

export interface ApplyImageRequest__Output {
  'spec': (_qvmd_v1_ImageSpec__Output | null);
}
