import type { ServerResponse } from 'node:http';
import { KubeError, internalError } from '../errors/kube-error';

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendRaw(
    res,
    code,
    typeof body === 'string' ? body : JSON.stringify(body),
    'application/json',
    headers,
  );
}

export function sendRaw(
  res: ServerResponse,
  code: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(body);
}

/** Every error leaves as a metav1.Status; unexpected ones as a 500 without internals. */
export function sendError(
  res: ServerResponse,
  error: unknown,
  log: (error: unknown) => void,
): void {
  const kubeError = error instanceof KubeError ? error : undefined;
  if (!kubeError) {
    log(error);
  }
  const status = kubeError ?? internalError('an unexpected error occurred; see the server log');
  if (res.headersSent) {
    res.end();
    return;
  }
  // When writing an error, a suggested retry delay becomes Retry-After (client-go honours it).
  const retryAfter = status.details?.retryAfterSeconds;
  sendJson(
    res,
    status.code,
    status.toStatus(),
    retryAfter ? { 'Retry-After': String(retryAfter) } : {},
  );
}

export function successStatus(details: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}
