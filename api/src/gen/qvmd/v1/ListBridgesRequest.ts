// Original file: api/proto/qvmd/v1/bridge.proto


export interface ListBridgesRequest {
}

export interface ListBridgesRequest__Output {
}
