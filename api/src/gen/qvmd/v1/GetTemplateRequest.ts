// Original file: api/qvmd.proto


export interface GetTemplateRequest {
  'id'?: (string);
}

export interface GetTemplateRequest__Output {
  'id': (string);
}
