/**
 * Domain errors: services throw these; each app's exception filter maps them to its wire format
 * (problem+json in the cloud API). The codes are the stable, documented vocabulary clients switch on.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'FAILED_PRECONDITION',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'PRECONDITION_FAILED',
  'QUOTA_EXCEEDED',
  'RATE_LIMITED',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldViolation {
  /** Dotted path of the offending field, e.g. `labels.app` or `listeners[0].port`. */
  field: string;
  description: string;
}

export interface DomainErrorOptions {
  fieldViolations?: FieldViolation[];
  /** Machine-readable extras (quota metric, limit, usage, …). */
  metadata?: Record<string, string | number | boolean>;
  retryAfterSeconds?: number;
}

export class DomainError extends Error {
  readonly fieldViolations?: FieldViolation[];
  readonly metadata?: Record<string, string | number | boolean>;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message);
    this.name = 'DomainError';
    this.fieldViolations = options.fieldViolations;
    this.metadata = options.metadata;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const invalidArgument = (field: string, description: string): DomainError =>
  new DomainError('INVALID_ARGUMENT', `${field}: ${description}`, {
    fieldViolations: [{ field, description }],
  });

export const notFound = (kind: string, id: string): DomainError =>
  new DomainError('NOT_FOUND', `${kind} "${id}" not found`);

export const failedPrecondition = (message: string): DomainError =>
  new DomainError('FAILED_PRECONDITION', message);

export const alreadyExists = (message: string): DomainError =>
  new DomainError('ALREADY_EXISTS', message);
