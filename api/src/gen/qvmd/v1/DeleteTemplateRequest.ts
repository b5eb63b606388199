// Original file: api/proto/qvmd/v1/template.proto


export interface DeleteTemplateRequest {
  'id'?: (string);
}

export interface DeleteTemplateRequest__Output {
  'id': (string);
}
