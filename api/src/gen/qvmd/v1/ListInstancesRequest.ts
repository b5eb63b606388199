// Original file: api/proto/qvmd/v1/instance.proto


export interface ListInstancesRequest {
}

export interface ListInstancesRequest__Output {
}
