// Original file: agent/api/qvmd.proto


export interface InstanceNic {
  'network_id'?: (string);
  'mac'?: (string);
  'ip'?: (string);
}

export interface InstanceNic__Output {
  'network_id': (string);
  'mac': (string);
  'ip': (string);
}
