// Original file: api/proto/qvmd/v1/common.proto

import type { Long } from '@grpc/proto-loader';

export interface Progress {
  'message'?: (string);
  'done'?: (number | string | Long);
  'total'?: (number | string | Long);
}

export interface Progress__Output {
  'message': (string);
  'done': (number);
  'total': (number);
}
