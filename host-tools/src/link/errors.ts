// One error class for every failure of a pen request.
import type { ErrorCode } from '@stipple/protocol';

/** Host-side failure codes; a device error reply keeps the pen's code (ErrorCode). */
export type LinkFailure = 'TIMEOUT' | 'NAK' | 'LINK_CLOSED' | 'SCHEMA_MISMATCH' | 'INVALID_REPLY';

export class PenError extends Error {
  override name = 'PenError';
  constructor(
    /** What failed: a host-side failure or the pen's error code. */
    readonly code: LinkFailure | ErrorCode,
    message: string,
    /** The request that failed, if any. */
    readonly request?: string,
    /** True when the pen itself answered with this error. */
    readonly fromPen = false,
  ) {
    super(message);
  }
}
