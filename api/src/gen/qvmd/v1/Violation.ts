// Original file: api/qvmd.proto


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
