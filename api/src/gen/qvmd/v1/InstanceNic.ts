// Original file: api/proto/qvmd/v1/instance.proto


export interface InstanceNic {
  'network_id'?: (string);
  'mac'?: (string);
  'ip'?: (string);
  'bridge_id'?: (string);
}

export interface InstanceNic__Output {
  'network_id': (string);
  'mac': (string);
  'ip': (string);
  'bridge_id': (string);
}
