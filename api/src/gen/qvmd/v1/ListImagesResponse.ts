// Original file: api/proto/qvmd/v1/image.proto

import type { Image as _qvmd_v1_Image, Image__Output as _qvmd_v1_Image__Output } from '../../qvmd/v1/Image';

export interface ListImagesResponse {
  'images'?: (_qvmd_v1_Image)[];
}

export interface ListImagesResponse__Output {
  'images': (_qvmd_v1_Image__Output)[];
}
