// Original file: api/qvmd.proto

import type { Long } from '@grpc/proto-loader';

export interface UploadResult {
  'sha256'?: (string);
  'size_bytes'?: (number | string | Long);
}

export interface UploadResult__Output {
  'sha256': (string);
  'size_bytes': (number);
}
