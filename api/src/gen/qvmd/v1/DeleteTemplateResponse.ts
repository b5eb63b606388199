// Original file: api/qvmd.proto


export interface DeleteTemplateResponse {
  'existed'?: (boolean);
}

export interface DeleteTemplateResponse__Output {
  'existed': (boolean);
}
