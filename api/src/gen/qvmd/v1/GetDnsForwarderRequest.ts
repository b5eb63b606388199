// Original file: api/qvmd.proto


export interface GetDnsForwarderRequest {
  'id'?: (string);
}

export interface GetDnsForwarderRequest__Output {
  'id': (string);
}
