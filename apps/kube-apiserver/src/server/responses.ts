import type { IncomingMessage, ServerResponse } from 'node:http';
import { dump as dumpYaml } from 'js-yaml';
import { KubeError, internalError } from '../errors/kube-error';
import { encodeKubeProtobuf } from '../protobuf/envelope';
import { negotiateOutput, wantsPretty, type OutputFormat } from './negotiation';

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
  body: string | Buffer,
  contentType: string,
  headers: Record<string, string | string[]> = {},
): void {
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(body);
}

/** How a response body is encoded: the negotiated format plus `?pretty` / the User-Agent rule. */
export interface Encoding {
  format: OutputFormat;
  pretty: boolean;
}

export function encodingFor(
  req: IncomingMessage,
  query: URLSearchParams,
  format: OutputFormat,
): Encoding {
  return { format, pretty: format.pretty || wantsPretty(query, req.headers['user-agent']) };
}

/**
 * Serialises `value` (or its JSON text) as JSON (one line, `\n` ended, or indented with
 * pretty), YAML, or protobuf (`k8s\0` envelope; needs the value's apiVersion and kind).
 */
export function encodeBody(
  value: unknown,
  encoding: Encoding,
  json?: string,
): { body: string | Buffer; contentType: string } {
  const { format } = encoding;
  switch (format.serializer) {
    case 'protobuf': {
      const meta = value as { apiVersion?: string; kind?: string };
      const body = encodeKubeProtobuf(meta.apiVersion ?? '', meta.kind ?? '', value);
      if (!body) {
        throw internalError(`no protobuf form for ${meta.apiVersion ?? ''} ${meta.kind ?? ''}`);
      }
      return { body, contentType: format.mediaType };
    }
    case 'yaml':
      return {
        body: dumpYaml(value, { sortKeys: true, lineWidth: -1, noRefs: true }),
        contentType: format.mediaType,
      };
    case 'json':
      return {
        body: encoding.pretty
          ? JSON.stringify(value, null, 2)
          : `${json ?? JSON.stringify(value)}\n`,
        contentType: format.mediaType,
      };
  }
}

export function sendEncoded(
  res: ServerResponse,
  code: number,
  value: unknown,
  encoding: Encoding,
  headers: Record<string, string | string[]> = {},
  json?: string,
): void {
  const { body, contentType } = encodeBody(value, encoding, json);
  sendRaw(res, code, body, contentType, headers);
}

/**
 * Every error leaves as a metav1.Status (unexpected ones as a 500 without internals), in the
 * media type the client accepts (protobuf for Go clients that ask for it), else JSON.
 */
export function sendError(
  res: ServerResponse,
  error: unknown,
  log: (error: unknown) => void,
  req?: IncomingMessage,
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
  let format: OutputFormat | undefined;
  try {
    format = negotiateOutput(req?.headers.accept, { protobuf: true, conversions: false });
  } catch {
    format = undefined;
  }
  const value = status.toStatus();
  const headers: Record<string, string> = {};
  // When writing an error, a suggested retry delay becomes Retry-After (client-go honours it).
  if (status.details?.retryAfterSeconds) {
    headers['Retry-After'] = String(status.details.retryAfterSeconds);
  }
  if (format) {
    sendEncoded(res, status.code, value, { format, pretty: false }, headers);
  } else {
    sendJson(res, status.code, value, headers);
  }
}

export function successStatus(details: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

/** RFC 7234 warning headers as the apiserver writes them: `299 - "<text>"`. */
export function warningHeaders(warnings: string[]): Record<string, string[]> {
  const unique = [...new Set(warnings)];
  if (unique.length === 0) {
    return {};
  }
  return {
    Warning: unique.map((w) => `299 - "${w.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`),
  };
}
