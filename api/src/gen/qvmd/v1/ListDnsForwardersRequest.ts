// Original file: api/proto/qvmd/v1/dns_forwarder.proto


export interface ListDnsForwardersRequest {
}

export interface ListDnsForwardersRequest__Output {
}
