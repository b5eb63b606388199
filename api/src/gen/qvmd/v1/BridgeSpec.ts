// Original file: api/proto/qvmd/v1/bridge.proto


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
