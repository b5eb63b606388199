// Original file: api/proto/qvmd/v1/network.proto

import type { DhcpReservation as _qvmd_v1_DhcpReservation, DhcpReservation__Output as _qvmd_v1_DhcpReservation__Output } from '../../qvmd/v1/DhcpReservation';

export interface DhcpSpec {
  'enabled'?: (boolean);
  'range_start'?: (string);
  'range_end'?: (string);
  'lease_time_seconds'?: (number);
  'reservations'?: (_qvmd_v1_DhcpReservation)[];
}

export interface DhcpSpec__Output {
  'enabled': (boolean);
  'range_start': (string);
  'range_end': (string);
  'lease_time_seconds': (number);
  'reservations': (_qvmd_v1_DhcpReservation__Output)[];
}
