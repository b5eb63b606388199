// Original file: api/proto/qvmd/v1/instance.proto


export interface NicStatus {
  'network_id'?: (string);
  'mac'?: (string);
  'tap'?: (string);
  'ip'?: (string);
  'source'?: (string);
  'bridge_id'?: (string);
}

export interface NicStatus__Output {
  'network_id': (string);
  'mac': (string);
  'tap': (string);
  'ip': (string);
  'source': (string);
  'bridge_id': (string);
}
