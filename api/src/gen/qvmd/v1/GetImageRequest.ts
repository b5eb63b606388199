// Original file: api/qvmd.proto


export interface GetImageRequest {
  'id'?: (string);
}

export interface GetImageRequest__Output {
  'id': (string);
}
