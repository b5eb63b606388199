// @pulumi-qemu/api: the contract between pulumi-resource-qemu and qvmd. The provider imports
// nothing of the agent but this package; the agent takes its proto, types and validators from it.
export * from "./client";
export * from "./codes";
export * from "./errors";
export { loadQvmd, PROTO_FILE } from "./proto";
export * from "./bundle";
export * from "./socket";
export { VERSION } from "./version";
export type * as wire from "./gen";
export * from "./validate";
export { USER_DATA_MAX_BYTES } from "./resources/instance";
export * as resources from "./resources";
export type { UploadOptions } from "./upload";
