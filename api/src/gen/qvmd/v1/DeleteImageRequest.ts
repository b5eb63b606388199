// Original file: api/proto/qvmd/v1/image.proto


export interface DeleteImageRequest {
  'id'?: (string);
}

export interface DeleteImageRequest__Output {
  'id': (string);
}
