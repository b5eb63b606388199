// Original file: api/proto/qvmd/v1/image.proto

import type { ImageSpec as _qvmd_v1_ImageSpec, ImageSpec__Output as _qvmd_v1_ImageSpec__Output } from '../../qvmd/v1/ImageSpec';
import type { Long } from '@grpc/proto-loader';

export interface Image {
  'spec'?: (_qvmd_v1_ImageSpec | null);
  'path'?: (string);
  'sha256'?: (string);
  'size_bytes'?: (number | string | Long);
  'virtual_size_bytes'?: (number | string | Long);
  'kernel_path'?: (string);
  'initrd_path'?: (string);
}

export interface Image__Output {
  'spec': (_qvmd_v1_ImageSpec__Output | null);
  'path': (string);
  'sha256': (string);
  'size_bytes': (number);
  'virtual_size_bytes': (number);
  'kernel_path': (string);
  'initrd_path': (string);
}
