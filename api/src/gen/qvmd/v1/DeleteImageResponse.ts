// Original file: api/qvmd.proto


export interface DeleteImageResponse {
  'existed'?: (boolean);
}

export interface DeleteImageResponse__Output {
  'existed': (boolean);
}
