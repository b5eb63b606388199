// Original file: api/qvmd.proto


export interface DeleteDnsForwarderRequest {
  'id'?: (string);
}

export interface DeleteDnsForwarderRequest__Output {
  'id': (string);
}
