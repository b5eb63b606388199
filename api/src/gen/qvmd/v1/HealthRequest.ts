// Original file: api/qvmd.proto


export interface HealthRequest {
}

export interface HealthRequest__Output {
}
