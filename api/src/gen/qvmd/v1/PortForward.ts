// Original file: api/proto/qvmd/v1/instance.proto


export interface PortForward {
  'host_port'?: (number);
  'guest_port'?: (number);
  'protocol'?: (string);
  'host_address'?: (string);
}

export interface PortForward__Output {
  'host_port': (number);
  'guest_port': (number);
  'protocol': (string);
  'host_address': (string);
}
