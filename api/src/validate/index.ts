// The pure validators the provider and the agent share (no I/O, no dependencies): importing this
// entry point pulls in neither gRPC nor the generated types.
export * from "./ipv4";
export * from "./mac";
export * from "./names";
export * from "./path";
export * from "./source";
export type { Violation } from "./violation";
export { ERROR_CODES, isErrorCode, type ErrorCode } from "../codes";
