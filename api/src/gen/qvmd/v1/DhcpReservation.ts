// Original file: api/proto/qvmd/v1/network.proto


export interface DhcpReservation {
  'mac'?: (string);
  'ip'?: (string);
  'hostname'?: (string);
}

export interface DhcpReservation__Output {
  'mac': (string);
  'ip': (string);
  'hostname': (string);
}
