import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { MAX_RETRY_AFTER_RETRIES, retryAfterSeconds } from './api-clients';

export type QueryValue = string | number | boolean | undefined;
export type PatchKind = 'merge' | 'strategic' | 'json' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchKind, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** e.g. `/api/v1/namespaces/default/pods/web/status`. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call (ms; 0 = none). */
  timeoutMs?: number;
}

/**
 * The bound on a call with no timeout of its own: the api-server's `--request-timeout` (1m0s), after
 * which a real server has answered 504 to any non-long-running request, so a client still waiting
 * then is waiting for an answer that will never come. (client-go's rest.Config.Timeout; the
 * leader-election and kubelet heartbeat clients set shorter ones, see `withTimeout`.)
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** A call that got no complete answer within its timeout (net/http's `Client.Timeout exceeded`). */
export class KubeRequestTimeoutError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(
      `${method} ${path}: no answer within ${timeoutMs / 1000}s (Client.Timeout exceeded while awaiting the answer)`,
    );
    this.name = 'KubeRequestTimeoutError';
  }
}

/** A failed call: `code` is the HTTP status (what `statusCodeOf`/`isNotFound` read). */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
    readonly reason?: string,
    /** The answer's `Retry-After` in seconds, when it asks for a retry (429, 5xx). */
    readonly retryAfterSeconds?: number,
  ) {
    super(messageOf(code, body));
    this.name = 'KubeApiError';
  }
}

function messageOf(code: number, body: string): string {
  try {
    const status = JSON.parse(body) as { message?: string };
    if (status.message) {
      return `${code}: ${status.message}`;
    }
  } catch {
    // not JSON
  }
  return `HTTP ${code}: ${body.slice(0, 200)}`;
}

/** How long resolved TLS/auth options are reused (short-lived exec tokens get refreshed). */
const OPTIONS_TTL_MS = 60_000;

/**
 * A thin JSON client of the Kubernetes REST API over a kubeconfig (TLS, token, keep-alive
 * agent from `withKeepAlive`). The simulated components' hot paths (pod status, leases, events)
 * go through it: it sends and returns plain JSON objects — no model classes, no Date
 * conversion — which is what the raw informers deliver too, so one object shape flows end to end.
 */
export class KubeRest {
  private options: Promise<RequestOptions> | undefined;
  private optionsAt = 0;
  private readonly server: URL;
  /** Set on clients made by `withBearerToken`: TLS and agent come from the parent. */
  private parent?: KubeRest;
  private authorization?: string;

  /**
   * `timeoutMs` bounds every call but watches (long-running, as upstream's): the whole exchange,
   * answer body included, as client-go's `rest.Config.Timeout`. 0 = no bound.
   */
  constructor(
    readonly kubeConfig: KubeConfig,
    readonly timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) {
      throw new Error('kubeconfig has no current cluster');
    }
    this.server = new URL(cluster.server);
  }

  /**
   * The same server, TLS settings and connection pool, authenticated as someone else (the
   * simulated kubelets give each node its own token this way).
   */
  withBearerToken(token: string): KubeRest {
    return this.derived(`Bearer ${token}`, this.timeoutMs);
  }

  /**
   * The same client with another timeout, as upstream's components copy their rest.Config for the
   * leader-election client (Timeout = renew deadline) and the kubelet's heartbeat client
   * (Timeout = min(node status update frequency, node lease duration)).
   */
  withTimeout(timeoutMs: number): KubeRest {
    return this.derived(this.authorization, timeoutMs);
  }

  private derived(authorization: string | undefined, timeoutMs: number): KubeRest {
    const client = new KubeRest(this.kubeConfig, timeoutMs);
    client.parent = this.parent ?? this;
    client.authorization = authorization;
    return client;
  }

  get<T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal): Promise<T> {
    return this.request<T>({ method: 'GET', path, query, signal });
  }

  create<T>(
    path: string,
    body: unknown,
    query?: Record<string, QueryValue>,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.request<T>({ method: 'POST', path, body, query, signal });
  }

  replace<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>({ method: 'PUT', path, body, signal });
  }

  patch<T>(path: string, body: unknown, kind: PatchKind = 'strategic'): Promise<T> {
    return this.request<T>({
      method: 'PATCH',
      path,
      body,
      contentType: PATCH_CONTENT_TYPES[kind],
    });
  }

  /** DELETE with DeleteOptions (`gracePeriodSeconds`, `preconditions`, `propagationPolicy`). */
  delete<T>(path: string, options?: object): Promise<T> {
    return this.request<T>({
      method: 'DELETE',
      path,
      body: options ? { apiVersion: 'v1', kind: 'DeleteOptions', ...options } : undefined,
    });
  }

  /** GET of a non-JSON path (`/metrics`), as text. */
  text(path: string): Promise<string> {
    return this.request<string>({ method: 'GET', path, raw: true });
  }

  /**
   * One call. A 429 or 5xx with `Retry-After` (the api-server's max-in-flight limit) is retried
   * after that many seconds, up to 10 times, as client-go's request retry does.
   */
  async request<T>(req: KubeRequest & { raw?: boolean }): Promise<T> {
    for (let retries = 0; ; retries++) {
      try {
        return await this.send<T>(req);
      } catch (err) {
        const wait = err instanceof KubeApiError ? err.retryAfterSeconds : undefined;
        if (wait === undefined || retries >= MAX_RETRY_AFTER_RETRIES || req.signal?.aborted) {
          throw err;
        }
        await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      }
    }
  }

  private async send<T>(req: KubeRequest & { raw?: boolean }): Promise<T> {
    const base = await this.resolveOptions();
    const url = new URL(req.path, this.server);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) {
        url.searchParams.set(key, String(value));
      }
    }
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string> = {
      ...(base.headers as Record<string, string> | undefined),
      Accept: req.raw ? '*/*' : 'application/json',
    };
    if (this.authorization) {
      headers.Authorization = this.authorization;
    }
    if (payload !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const timeoutMs = isWatch(url) ? 0 : (req.timeoutMs ?? this.timeoutMs);
    return new Promise<T>((resolveCall, rejectCall) => {
      // One timer for the whole exchange (a socket idle timeout would not bound a slow trickle).
      // The connection goes with it: an answer arriving later has no one to read it.
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              reject(new KubeRequestTimeoutError(req.method, req.path, timeoutMs));
              call.destroy();
            }, timeoutMs)
          : undefined;
      const resolve = (value: T) => {
        clearTimeout(timer);
        resolveCall(value);
      };
      const reject = (err: Error) => {
        clearTimeout(timer);
        rejectCall(err);
      };
      const call = send(
        url,
        { ...base, method: req.method, headers, signal: req.signal },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const code = res.statusCode ?? 0;
            if (code >= 400) {
              reject(
                new KubeApiError(
                  code,
                  text,
                  reasonOf(text),
                  retryAfterSeconds(code, res.headers['retry-after']),
                ),
              );
              return;
            }
            if (req.raw) {
              resolve(text as T);
              return;
            }
            try {
              resolve((text === '' ? undefined : JSON.parse(text)) as T);
            } catch {
              reject(
                new Error(
                  `${req.method} ${req.path}: the answer is not JSON: ${text.slice(0, 200)}`,
                ),
              );
            }
          });
        },
      );
      call.on('error', reject);
      call.end(payload);
    });
  }

  private resolveOptions(): Promise<RequestOptions> {
    if (this.parent) {
      return this.parent.resolveOptions();
    }
    const now = performance.now();
    if (!this.options || now - this.optionsAt > OPTIONS_TTL_MS) {
      this.optionsAt = now;
      const opts: RequestOptions = {};
      this.options = this.kubeConfig.applyToHTTPSOptions(opts).then(() => opts);
      this.options.catch(() => {
        this.options = undefined;
      });
    }
    return this.options;
  }
}

/** Watches are long-running: the request timeout never applies to them (upstream's too). */
function isWatch(url: URL): boolean {
  const watch = url.searchParams.get('watch');
  return watch === 'true' || watch === '1' || url.pathname.includes('/watch/');
}

function reasonOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { reason?: string }).reason;
  } catch {
    return undefined;
  }
}
