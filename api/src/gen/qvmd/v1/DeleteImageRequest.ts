// Original file: api/qvmd.proto


export interface DeleteImageRequest {
  'id'?: (string);
}

export interface DeleteImageRequest__Output {
  'id': (string);
}
