// Original file: api/proto/qvmd/v1/common.proto


export interface HealthRequest {
}

export interface HealthRequest__Output {
}
