// Original file: api/qvmd.proto


export interface BridgeSpec {
  'id'?: (string);
  'name'?: (string);
  'address'?: (string);
  'uplink'?: (string);
  'stp'?: (boolean);
  'mtu'?: (number);
  'adopt'?: (boolean);
  'owner'?: (string);
}

export interface BridgeSpec__Output {
  'id': (string);
  'name': (string);
  'address': (string);
  'uplink': (string);
  'stp': (boolean);
  'mtu': (number);
  'adopt': (boolean);
  'owner': (string);
}
