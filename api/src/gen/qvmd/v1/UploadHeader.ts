// Original file: api/proto/qvmd/v1/upload.proto

import type { Long } from '@grpc/proto-loader';

export interface UploadHeader {
  'size_bytes'?: (number | string | Long);
  'sha256'?: (string);
  'name'?: (string);
}

export interface UploadHeader__Output {
  'size_bytes': (number);
  'sha256': (string);
  'name': (string);
}
