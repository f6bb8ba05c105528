/**
 * The logging surface the plumbing needs; a pino logger (or a Nest PinoLogger's `logger`) fits it.
 * Structured fields first, message second, as in pino.
 */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const noop = (): void => undefined;

/** Discards everything (the default when no logger is injected). */
export const noopLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * Renders an unknown thrown value for a log field or an event message. A Kubernetes API error
 * (client-node's ApiException: a numeric `code` and a `Status` body) renders as the Status's
 * message, as client-go's StatusError does — `services "web" is forbidden: User … cannot patch …`
 * — instead of client-node's dump of the whole response.
 */
export function errorMessage(err: unknown): string {
  return kubeStatusMessage(err) ?? (err instanceof Error ? err.message : String(err));
}

function kubeStatusMessage(err: unknown): string | undefined {
  if (
    typeof err !== 'object' ||
    err === null ||
    typeof (err as { code?: unknown }).code !== 'number'
  ) {
    return undefined;
  }
  let body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const status = body as { kind?: unknown; message?: unknown } | null | undefined;
  return status?.kind === 'Status' && typeof status.message === 'string' && status.message !== ''
    ? status.message
    : undefined;
}
