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

/** Renders an unknown thrown value for a log field. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
