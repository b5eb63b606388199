// Original file: api/proto/qvmd/v1/image.proto


export interface DeleteImageResponse {
  'existed'?: (boolean);
}

export interface DeleteImageResponse__Output {
  'existed': (boolean);
}
