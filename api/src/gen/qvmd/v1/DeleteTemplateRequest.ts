// Original file: api/qvmd.proto


export interface DeleteTemplateRequest {
  'id'?: (string);
}

export interface DeleteTemplateRequest__Output {
  'id': (string);
}
