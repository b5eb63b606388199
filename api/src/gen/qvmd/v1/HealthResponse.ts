// Original file: api/proto/qvmd/v1/common.proto


export interface HealthResponse {
  'version'?: (string);
  'pid'?: (number);
  'state_dir'?: (string);
  'caller_uid'?: (number);
  'caller_gid'?: (number);
  'problems'?: (string)[];
}

export interface HealthResponse__Output {
  'version': (string);
  'pid': (number);
  'state_dir': (string);
  'caller_uid': (number);
  'caller_gid': (number);
  'problems': (string)[];
}
