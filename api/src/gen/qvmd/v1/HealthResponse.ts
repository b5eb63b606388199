// Original file: api/qvmd.proto


export interface HealthResponse {
  'version'?: (string);
  'pid'?: (number);
  'state_dir'?: (string);
}

export interface HealthResponse__Output {
  'version': (string);
  'pid': (number);
  'state_dir': (string);
}
