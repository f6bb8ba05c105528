import { errorMessage, type Logger } from '../logger';

/** The HTTP status an error carries (client-node's ApiException has `code`). */
export function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) {
    return undefined;
  }
  const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
  const status = typeof statusCode === 'number' ? statusCode : code;
  return typeof status === 'number' && status >= 100 && status < 600 ? status : undefined;
}

/**
 * client-go's recordEvent verdict on a failed write (409s are the caller's): an error with an HTTP
 * status is final (true, logged), anything else — a connection failure — is worth a retry (false).
 */
export function rejectedForGood(error: unknown, reason: string, logger: Logger): boolean {
  const status = httpStatusOf(error);
  if (status !== undefined) {
    logger.error(
      { reason, status, err: errorMessage(error) },
      'Server rejected event (will not retry!)',
    );
    return true;
  }
  logger.error(
    { reason, err: errorMessage(error) },
    'Unable to write event (may retry after sleeping)',
  );
  return false;
}
