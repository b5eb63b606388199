// Original file: api/proto/qvmd/v1/common.proto


export interface Violation {
  'property'?: (string);
  'code'?: (string);
  'reason'?: (string);
}

export interface Violation__Output {
  'property': (string);
  'code': (string);
  'reason': (string);
}
