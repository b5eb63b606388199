// Original file: api/qvmd.proto


export interface ListNetworksRequest {
}

export interface ListNetworksRequest__Output {
}
