import type { FieldViolationDto, ProblemDto } from '@app/cloud-contracts';

export type FieldViolation = FieldViolationDto;

/** What the cloud said (a problem+json body), or what the client knows about a failed call. */
export interface CloudApiErrorDetails {
  status: number;
  code: string;
  detail: string;
  retryable: boolean;
  requestId?: string;
  fieldViolations?: FieldViolation[];
  metadata?: Record<string, string | number | boolean>;
  /** From the problem's `retryAfterSeconds` or the `Retry-After` header. */
  retryAfterSeconds?: number;
  method?: string;
  path?: string;
}

/**
 * Base class of every error the cloud client throws. Callers switch on the subclass (or `code`),
 * never on the message.
 */
export class CloudApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly retryable: boolean;
  readonly requestId?: string;
  readonly fieldViolations: FieldViolation[];
  readonly metadata?: Record<string, string | number | boolean>;
  readonly retryAfterSeconds?: number;
  readonly method?: string;
  readonly path?: string;

  constructor(details: CloudApiErrorDetails, options?: { cause?: unknown }) {
    const where = details.method && details.path ? `${details.method} ${details.path}: ` : '';
    const id = details.requestId ? ` (request ${details.requestId})` : '';
    super(`${where}${details.code}: ${details.detail}${id}`, options);
    this.name = new.target.name;
    this.status = details.status;
    this.code = details.code;
    this.detail = details.detail;
    this.retryable = details.retryable;
    this.requestId = details.requestId;
    this.fieldViolations = details.fieldViolations ?? [];
    this.metadata = details.metadata;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.method = details.method;
    this.path = details.path;
  }
}

export class InvalidArgumentError extends CloudApiError {}
export class FailedPreconditionError extends CloudApiError {}
export class UnauthenticatedError extends CloudApiError {}
export class PermissionDeniedError extends CloudApiError {}
export class NotFoundError extends CloudApiError {}
export class AlreadyExistsError extends CloudApiError {}
/** Concurrent modification (409 CONFLICT); retryable. */
export class ConflictError extends CloudApiError {}
export class IdempotencyKeyReusedError extends CloudApiError {}
/** `If-Match` did not match the current etag (412). Re-read and try again. */
export class PreconditionFailedError extends CloudApiError {}
export class QuotaExceededError extends CloudApiError {}
export class RateLimitedError extends CloudApiError {}
export class InternalError extends CloudApiError {}
export class UnavailableError extends CloudApiError {}
/** The request never got an HTTP answer (connection refused/reset, DNS, timeout). Retryable. */
export class NetworkError extends CloudApiError {}
/**
 * The TLS handshake failed: a certificate the client does not trust, one that does not name the
 * host, or HTTPS against a plain-HTTP server. Not retryable: waiting does not fix it.
 */
export class TlsError extends NetworkError {}
/** An operation ended `failed`; `code` and the rest come from the operation's problem. */
export class OperationFailedError extends CloudApiError {}

type ErrorClass = new (
  details: CloudApiErrorDetails,
  options?: { cause?: unknown },
) => CloudApiError;

const BY_CODE: Record<string, ErrorClass> = {
  INVALID_ARGUMENT: InvalidArgumentError,
  FAILED_PRECONDITION: FailedPreconditionError,
  UNAUTHENTICATED: UnauthenticatedError,
  PERMISSION_DENIED: PermissionDeniedError,
  NOT_FOUND: NotFoundError,
  ALREADY_EXISTS: AlreadyExistsError,
  CONFLICT: ConflictError,
  IDEMPOTENCY_KEY_REUSED: IdempotencyKeyReusedError,
  PRECONDITION_FAILED: PreconditionFailedError,
  QUOTA_EXCEEDED: QuotaExceededError,
  RATE_LIMITED: RateLimitedError,
  INTERNAL: InternalError,
  UNAVAILABLE: UnavailableError,
};

/** The code a bare HTTP status stands for, when the body is not a problem (e.g. a proxy's 502). */
function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 412:
      return 'PRECONDITION_FAILED';
    case 429:
      return 'RATE_LIMITED';
    default:
      return status >= 500 && status !== 501 ? 'UNAVAILABLE' : 'INTERNAL';
  }
}

function isProblem(body: unknown): body is Partial<ProblemDto> & { code: string } {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { code?: unknown }).code === 'string'
  );
}

/** Maps an error answer (status, parsed body, Retry-After) to the typed error class. */
export function errorFromResponse(
  status: number,
  body: unknown,
  context: { method?: string; path?: string; requestId?: string; retryAfterSeconds?: number } = {},
): CloudApiError {
  const problem = isProblem(body) ? body : undefined;
  const code = problem?.code ?? codeForStatus(status);
  const retryable =
    typeof problem?.retryable === 'boolean'
      ? problem.retryable
      : code === 'RATE_LIMITED' || code === 'CONFLICT' || status >= 500;
  const details: CloudApiErrorDetails = {
    status,
    code,
    detail:
      problem?.detail ??
      (typeof body === 'string' && body.length > 0 ? body.slice(0, 500) : `HTTP ${status}`),
    retryable,
    requestId: problem?.requestId ?? context.requestId,
    fieldViolations: problem?.fieldViolations,
    metadata: problem?.metadata,
    retryAfterSeconds: problem?.retryAfterSeconds ?? context.retryAfterSeconds,
    method: context.method,
    path: context.path,
  };
  return new (BY_CODE[code] ?? CloudApiError)(details);
}

/** An operation's `error` problem as a typed error. */
export function errorFromProblem(problem: ProblemDto): CloudApiError {
  const details: CloudApiErrorDetails = {
    status: problem.status,
    code: problem.code,
    detail: problem.detail,
    retryable: problem.retryable,
    requestId: problem.requestId,
    fieldViolations: problem.fieldViolations,
    metadata: problem.metadata,
    retryAfterSeconds: problem.retryAfterSeconds,
  };
  return new OperationFailedError(details, { cause: errorFromResponse(problem.status, problem) });
}

export function isNotFound(error: unknown): error is NotFoundError {
  return error instanceof NotFoundError;
}
