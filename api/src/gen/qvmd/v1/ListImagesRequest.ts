// Original file: api/proto/qvmd/v1/image.proto


export interface ListImagesRequest {
}

export interface ListImagesRequest__Output {
}
