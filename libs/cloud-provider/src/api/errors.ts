/*
 * The sentinel errors of k8s.io/cloud-provider (`cloudprovider.InstanceNotFound`, …) and
 * `api.RetryError`. Controllers test for them with `errorAs`/`isX`, which follow `cause`
 * chains the way Go's errors.Is/As follow %w wrapping.
 */

export class CloudProviderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The instance is gone (terminated or unknown). Stopped instances still exist. */
export class InstanceNotFoundError extends CloudProviderError {
  constructor(message = 'instance not found', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class DiskNotFoundError extends CloudProviderError {
  constructor(message = 'disk is not found', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class NotImplementedError extends CloudProviderError {
  constructor(message = 'unimplemented', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Another controller implements this (e.g. an LB built elsewhere). Never from ensureLoadBalancerDeleted. */
export class ImplementedElsewhereError extends CloudProviderError {
  constructor(message = 'implemented elsewhere', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * `api.RetryError`: not a failure but "not yet" — e.g. the load balancer is still provisioning.
 * The service controller re-queues the service after exactly `retryAfterMs` instead of its
 * exponential backoff (it still records SyncLoadBalancerFailed, as upstream does).
 */
export class RetryError extends CloudProviderError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A Service field or annotation the provider cannot honour (bad value, unsupported protocol). */
export class InvalidServiceError extends CloudProviderError {}

type Constructor<T> = abstract new (...args: never[]) => T;

/** Go's errors.As: the first error of that class along the `cause` chain (AggregateErrors included). */
export function errorAs<T extends Error>(error: unknown, type: Constructor<T>): T | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === undefined || current === null || seen.has(current)) {
      continue;
    }
    seen.add(current);
    if (current instanceof type) {
      return current;
    }
    if (current instanceof AggregateError) {
      queue.push(...(current.errors as unknown[]));
    }
    if (current instanceof Error) {
      queue.push(current.cause);
    }
  }
  return undefined;
}

export const isInstanceNotFound = (error: unknown): boolean =>
  errorAs(error, InstanceNotFoundError) !== undefined;
export const isNotImplemented = (error: unknown): boolean =>
  errorAs(error, NotImplementedError) !== undefined;
export const isImplementedElsewhere = (error: unknown): boolean =>
  errorAs(error, ImplementedElsewhereError) !== undefined;
export const isDiskNotFound = (error: unknown): boolean =>
  errorAs(error, DiskNotFoundError) !== undefined;
/** The RetryError wrapped anywhere in `error`, if any (upstream `errors.As(err, &retryErr)`). */
export const asRetryError = (error: unknown): RetryError | undefined => errorAs(error, RetryError);
