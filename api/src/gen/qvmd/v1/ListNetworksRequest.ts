// Original file: api/proto/qvmd/v1/network.proto


export interface ListNetworksRequest {
}

export interface ListNetworksRequest__Output {
}
