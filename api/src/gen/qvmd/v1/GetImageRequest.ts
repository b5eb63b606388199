// Original file: api/proto/qvmd/v1/image.proto


export interface GetImageRequest {
  'id'?: (string);
}

export interface GetImageRequest__Output {
  'id': (string);
}
