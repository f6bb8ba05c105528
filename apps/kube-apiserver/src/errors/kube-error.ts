/** The `reason` vocabulary of metav1.Status that clients switch on. */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Expired'
  | 'Gone'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'RequestEntityTooLarge'
  | 'Timeout'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  /** StatusReasonUnknown: an error REST storage did not turn into a Status (omitted in JSON). */
  | '';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** An error that becomes a Kubernetes `Status` response (see errors.go in apimachinery). */
export class KubeError extends Error {
  /** Status.metadata.continue (an expired continue token's replacement). */
  listContinue?: string;

  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'KubeError';
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: this.listContinue ? { continue: this.listContinue } : {},
      status: 'Failure',
      message: this.message,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `resource` or `resource.group`, as Kubernetes names a GroupResource in messages. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export const notFound = (gr: GroupResource, name: string): KubeError =>
  new KubeError(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });

export const alreadyExists = (gr: GroupResource, name: string): KubeError =>
  new KubeError(409, 'AlreadyExists', `${qualifiedResource(gr)} "${name}" already exists`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });

export const conflict = (gr: GroupResource, name: string, why?: string): KubeError =>
  new KubeError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${
      why ??
      'the object has been modified; please apply your changes to the latest version and try again'
    }`,
    { name, group: gr.group, kind: gr.resource },
  );

export const forbidden = (gr: GroupResource, name: string, why: string): KubeError =>
  new KubeError(403, 'Forbidden', `${qualifiedResource(gr)} "${name}" is forbidden: ${why}`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });

export const badRequest = (message: string): KubeError => new KubeError(400, 'BadRequest', message);

export const expired = (message: string): KubeError => new KubeError(410, 'Expired', message);

export const methodNotAllowed = (): KubeError =>
  new KubeError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );

export const unsupportedMediaType = (contentType: string, accepted: string[]): KubeError =>
  new KubeError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    { causes: [{ reason: 'UnsupportedMediaType', message: contentType, field: '' }] },
  );

/** apimachinery NewRequestEntityTooLargeError. */
export const requestEntityTooLarge = (message: string): KubeError =>
  new KubeError(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);

/** 429 TooManyRequests (errors.NewTooManyRequests); retryAfterSeconds also sets Retry-After. */
export const tooManyRequests = (
  message: string,
  retryAfterSeconds: number,
  causes: StatusCause[] = [],
): KubeError =>
  new KubeError(429, 'TooManyRequests', message, {
    ...(causes.length ? { causes } : {}),
    ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}),
  });

export const serviceUnavailable = (message: string): KubeError =>
  new KubeError(503, 'ServiceUnavailable', message);

export const unauthorized = (): KubeError => new KubeError(401, 'Unauthorized', 'Unauthorized');

export const internalError = (message: string): KubeError =>
  new KubeError(500, 'InternalError', `Internal error occurred: ${message}`);

export interface FieldError {
  field: string;
  message: string;
  /** FieldValueInvalid, FieldValueRequired, FieldValueForbidden, FieldValueNotSupported, FieldValueDuplicate */
  reason?: string;
}

/**
 * 422 Invalid naming every bad field: `<Kind>[.<group>] "<name>" is invalid: <field>: <msg>`
 * (errors.NewInvalid with a GroupKind; identical messages are reported once, as an aggregate).
 */
export const invalid = (
  kind: string,
  gr: GroupResource,
  name: string,
  errors: FieldError[],
): KubeError => {
  const list = [...new Set(errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)))];
  const text = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  const qualifiedKind = gr.group ? `${kind}.${gr.group}` : kind;
  return new KubeError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${text}`, {
    ...(name ? { name } : {}),
    group: gr.group,
    kind,
    causes: errors.map((e) => ({
      reason: e.reason ?? 'FieldValueInvalid',
      message: e.message,
      field: e.field,
    })),
  });
};
