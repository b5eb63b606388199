// Original file: api/proto/qvmd/v1/template.proto


export interface DeleteTemplateResponse {
  'existed'?: (boolean);
}

export interface DeleteTemplateResponse__Output {
  'existed': (boolean);
}
