// Original file: api/proto/qvmd/v1/upload.proto

import type { UploadHeader as _qvmd_v1_UploadHeader, UploadHeader__Output as _qvmd_v1_UploadHeader__Output } from '../../qvmd/v1/UploadHeader';

export interface UploadChunk {
  'header'?: (_qvmd_v1_UploadHeader | null);
  'data'?: (Buffer | Uint8Array | string);
  'part'?: "header"|"data";
}

export interface UploadChunk__Output {
  'header'?: (_qvmd_v1_UploadHeader__Output | null);
  'data'?: (Buffer);
  'part'?: "header"|"data";
}
