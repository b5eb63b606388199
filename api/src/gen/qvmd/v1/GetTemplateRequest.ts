// Original file: api/proto/qvmd/v1/template.proto


export interface GetTemplateRequest {
  'id'?: (string);
}

export interface GetTemplateRequest__Output {
  'id': (string);
}
