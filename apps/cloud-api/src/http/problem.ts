import { DomainError, type ErrorCode } from '@app/common';
import type { ProblemDto } from '@app/cloud-contracts';

interface CodeInfo {
  status: number;
  title: string;
  retryable: boolean;
}

/** The one table from error code to HTTP status (see docs/api-conventions.md). */
export const ERROR_CODE_INFO: Record<ErrorCode, CodeInfo> = {
  INVALID_ARGUMENT: { status: 400, title: 'Invalid argument', retryable: false },
  FAILED_PRECONDITION: { status: 400, title: 'Failed precondition', retryable: false },
  UNAUTHENTICATED: { status: 401, title: 'Unauthenticated', retryable: false },
  PERMISSION_DENIED: { status: 403, title: 'Permission denied', retryable: false },
  NOT_FOUND: { status: 404, title: 'Not found', retryable: false },
  ALREADY_EXISTS: { status: 409, title: 'Already exists', retryable: false },
  CONFLICT: { status: 409, title: 'Conflict', retryable: true },
  IDEMPOTENCY_KEY_REUSED: { status: 409, title: 'Idempotency key reused', retryable: false },
  PRECONDITION_FAILED: { status: 412, title: 'Precondition failed', retryable: false },
  QUOTA_EXCEEDED: { status: 429, title: 'Quota exceeded', retryable: false },
  RATE_LIMITED: { status: 429, title: 'Rate limited', retryable: true },
  INTERNAL: { status: 500, title: 'Internal error', retryable: true },
  UNAVAILABLE: { status: 503, title: 'Service unavailable', retryable: true },
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemOf(error: DomainError, requestId: string, instance: string): ProblemDto {
  const info = ERROR_CODE_INFO[error.code];
  const problem: ProblemDto = {
    type: `https://nimbus.dev/problems/${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: info.title,
    status: info.status,
    detail: error.message,
    instance,
    code: error.code,
    retryable: info.retryable,
    requestId,
  };
  if (error.fieldViolations?.length) {
    problem.fieldViolations = error.fieldViolations;
  }
  if (error.metadata) {
    problem.metadata = error.metadata;
  }
  if (error.retryAfterSeconds !== undefined) {
    problem.retryAfterSeconds = error.retryAfterSeconds;
  }
  return problem;
}

/** Maps framework/HTTP errors (unknown route, body too large, malformed JSON) to domain codes. */
export function domainErrorFromHttp(status: number, message: string): DomainError {
  const byStatus: Record<number, ErrorCode> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    405: 'INVALID_ARGUMENT',
    409: 'CONFLICT',
    412: 'PRECONDITION_FAILED',
    413: 'INVALID_ARGUMENT',
    415: 'INVALID_ARGUMENT',
    429: 'RATE_LIMITED',
    503: 'UNAVAILABLE',
  };
  return new DomainError(
    byStatus[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT'),
    message,
  );
}
