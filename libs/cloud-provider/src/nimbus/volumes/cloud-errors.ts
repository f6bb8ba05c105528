import {
  AlreadyExistsError,
  CloudApiError,
  FailedPreconditionError,
  InvalidArgumentError,
  NetworkError,
  NotFoundError,
  QuotaExceededError,
} from '@app/cloud-client';
import { CsiError, type CsiCode } from '../../api/volumes';

/**
 * A cloud error as the CSI code a driver answers with, the cloud's own message kept:
 * `what` says which call failed (`could not attach volume "vol-…" to node "i-…"`).
 */
export function csiErrorFromCloud(error: unknown, what: string): CsiError {
  if (error instanceof CsiError) {
    return error;
  }
  const code = csiCodeForCloud(error);
  const detail =
    error instanceof CloudApiError
      ? error.detail
      : error instanceof Error
        ? error.message
        : String(error);
  return new CsiError(code, `${what}: ${detail}`, { cause: error });
}

function csiCodeForCloud(error: unknown): CsiCode {
  if (error instanceof NetworkError) {
    return error.code === 'TIMEOUT' ? 'DeadlineExceeded' : 'Unavailable';
  }
  if (error instanceof InvalidArgumentError) {
    return 'InvalidArgument';
  }
  if (error instanceof NotFoundError) {
    return 'NotFound';
  }
  if (error instanceof AlreadyExistsError) {
    return 'AlreadyExists';
  }
  if (error instanceof FailedPreconditionError) {
    return 'FailedPrecondition';
  }
  if (error instanceof QuotaExceededError) {
    return 'ResourceExhausted';
  }
  if (error instanceof CloudApiError) {
    // Rate limits, 5xx and conflicts: the call may still have happened; retry later.
    return error.retryable ? 'Unavailable' : 'Internal';
  }
  return 'Internal';
}
