import type { ErrorCode } from "../codes";

/** One thing wrong with a spec: the property at fault (as the user wrote it), a stable code, why. */
export interface Violation<C extends ErrorCode = ErrorCode> {
  property: string;
  code: C;
  reason: string;
}
