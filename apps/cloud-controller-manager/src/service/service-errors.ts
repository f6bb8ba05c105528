import { retryAfterOf } from '@app/controller-runtime';

/**
 * An error formatted like Go's `fmt.Errorf("…: %v", err)`: the cause is kept for logs, but
 * unlike `%w` it is opaque, so a RetryError inside does not set the retry delay.
 */
export class OpaqueError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'OpaqueError';
  }
}

/** The service queue's retry delay: a RetryError reachable through `%w`-style wrapping only. */
export function serviceRetryAfterOf(err: unknown): number | undefined {
  return err instanceof OpaqueError ? undefined : retryAfterOf(err);
}
