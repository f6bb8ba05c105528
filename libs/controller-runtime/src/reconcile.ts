/** What a reconcile may ask for besides plain success. */
export interface ReconcileResult {
  /** Re-queue after exactly this many ms (and reset the item's backoff). */
  requeueAfter?: number;
  /** Re-queue with the rate limiter's backoff, without logging an error. */
  requeue?: boolean;
}

export interface ReconcileContext {
  /** Aborted when the controller's graceful stop times out; long calls should give up. */
  signal: AbortSignal;
  /** How many times this key has been re-queued since its last success. */
  numRequeues: number;
}

/**
 * Reconciles one key (`namespace/name`) from the informer cache. Resolving (void or a result)
 * means success; throwing means "retry with backoff", unless the error carries a retry-after
 * (see `retryAfterOf`).
 */
export type Reconciler = (
  key: string,
  context: ReconcileContext,
) => Promise<ReconcileResult | void> | ReconcileResult | void;

/**
 * An error that asks for a retry after a fixed delay instead of exponential backoff: the
 * `api.RetryError` idea of k8s.io/cloud-provider (async load-balancer provisioning).
 */
export class RequeueAfterError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RequeueAfterError';
  }
}

/**
 * The retry delay an error carries, like `errors.As(err, &RetryError)`: the first error in the
 * `cause` chain (or in an AggregateError's `errors`) with a numeric `retryAfterMs`.
 */
export function retryAfterOf(err: unknown, depth = 0): number | undefined {
  if (typeof err !== 'object' || err === null || depth > 16) {
    return undefined;
  }
  const ms = (err as { retryAfterMs?: unknown }).retryAfterMs;
  if (typeof ms === 'number' && Number.isFinite(ms)) {
    return ms;
  }
  if (err instanceof AggregateError) {
    for (const inner of err.errors as unknown[]) {
      const found = retryAfterOf(inner, depth + 1);
      if (found !== undefined) {
        return found;
      }
    }
  }
  return retryAfterOf((err as { cause?: unknown }).cause, depth + 1);
}
