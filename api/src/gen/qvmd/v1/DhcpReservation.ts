// Original file: api/qvmd.proto


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
