// Original file: api/proto/qvmd/v1/upload.proto

import type { Long } from '@grpc/proto-loader';

export interface UploadResult {
  'sha256'?: (string);
  'size_bytes'?: (number | string | Long);
}

export interface UploadResult__Output {
  'sha256': (string);
  'size_bytes': (number);
}
