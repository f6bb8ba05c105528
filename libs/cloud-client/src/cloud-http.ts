import { randomUUID } from 'node:crypto';
import { AdjustableClock, type Clock } from '@app/common';
import { CloudApiError, errorFromResponse, NetworkError, TlsError } from './errors';
import {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  parseRateLimitReset,
  parseRetryAfter,
  retryDelayMs,
  type RetryPolicy,
} from './retry';
import {
  fetchTransport,
  nodeHttpTransport,
  type Transport,
  type TransportResponse,
} from './http-transport';
import {
  describeTlsFailure,
  fetchWithTls,
  INSECURE_TLS_WARNING,
  type CloudClientTls,
} from './tls-transport';

export const USER_AGENT_PRODUCT = 'nimbus-cloud-controller-manager';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined;

export interface RetryInfo {
  method: HttpMethod;
  path: string;
  /** The attempt that failed (1 = the first). */
  attempt: number;
  delayMs: number;
  error: unknown;
}

export interface CloudClientOptions {
  /** e.g. `http://127.0.0.1:8080` (with or without a trailing slash). */
  baseUrl: string;
  /** A project token; sent as `Authorization: Bearer <token>`. */
  token: string;
  /** Per attempt; default 30 s. */
  timeoutMs?: number;
  /** Default `nimbus-cloud-controller-manager/<version>`. */
  userAgent?: string;
  /** Used in the default user agent; default `dev`. */
  version?: string;
  retry?: Partial<RetryPolicy>;
  /**
   * Trust for `https://` URLs: a CA bundle, or no verification (warned about through `warn`).
   * Default the system roots.
   */
  tls?: CloudClientTls;
  /** Where the client warns (insecure TLS); default `process.emitWarning`. */
  warn?: (message: string) => void;
  /**
   * Injectable for tests (to script or observe calls): every call goes through it. Default:
   * calls over node:http(s) with a keep-alive agent, the change stream over Node's global fetch
   * (undici's with `tls`).
   */
  fetch?: typeof fetch;
  /** Injectable for tests; default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Reads `Retry-After` dates and operation-wait deadlines; default the wall clock. */
  clock?: Clock;
  /** Jitter source in [0, 1); default Math.random. */
  random?: () => number;
  /** Default a random UUID. */
  newIdempotencyKey?: () => string;
  /** Called before each retry's wait (logging, metrics). */
  onRetry?: (info: RetryInfo) => void;
}

export interface HttpRequest {
  method: HttpMethod;
  /** Path below the base URL, starting with `/v1/`. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  ifMatch?: string;
  /** Kept across retries; a POST gets a fresh UUID when none is given. */
  idempotencyKey?: string;
}

export interface HttpResponse<T> {
  status: number;
  body: T;
  etag?: string;
  requestId?: string;
  /** True when the server replayed a stored answer for the Idempotency-Key. */
  replayed: boolean;
}

const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * The HTTP layer of the cloud client: auth, user agent, timeouts, problem+json → typed errors,
 * and retries with exponential backoff and jitter that honour `Retry-After`. One logical call
 * keeps its `Idempotency-Key` across retries, so a retried POST is never applied twice.
 */
export class CloudHttp {
  private readonly baseUrl: string;
  private readonly userAgent: string;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  /** The change stream's fetch, made on its first use (undici's with `tls`: ~110 modules). */
  private streamFetch?: typeof fetch;
  private readonly transport: Transport;
  readonly sleep: (ms: number) => Promise<void>;
  readonly clock: Clock;
  private readonly random: () => number;
  private readonly newKey: () => string;

  constructor(private readonly options: CloudClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.userAgent = options.userAgent ?? `${USER_AGENT_PRODUCT}/${options.version ?? 'dev'}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.transport = options.fetch ? fetchTransport(options.fetch) : nodeHttpTransport(options.tls);
    if (options.tls?.insecureSkipVerify) {
      (options.warn ?? emitInsecureWarning)(INSECURE_TLS_WARNING);
    }
    this.sleep = options.sleep ?? realSleep;
    this.clock = options.clock ?? new AdjustableClock();
    this.random = options.random ?? Math.random;
    this.newKey = options.newIdempotencyKey ?? randomUUID;
  }

  async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const prepared: HttpRequest =
      req.method === 'POST' && req.idempotencyKey === undefined
        ? { ...req, idempotencyKey: this.newKey() }
        : req;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(prepared);
      } catch (error) {
        if (!isRetryable(error) || attempt >= this.policy.maxAttempts) {
          throw error;
        }
        const delayMs = retryDelayMs(attempt, error, this.policy, this.random);
        this.options.onRetry?.({ method: req.method, path: req.path, attempt, delayMs, error });
        await this.sleep(delayMs);
      }
    }
  }

  /**
   * Opens a long-lived GET (the change stream's Server-Sent Events) with this client's token and
   * user agent; no timeout and no retries: the caller reads the body and reconnects itself.
   */
  async openStream(
    path: string,
    options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Response> {
    this.streamFetch ??=
      this.options.fetch ??
      (this.options.tls?.ca !== undefined || this.options.tls?.insecureSkipVerify
        ? fetchWithTls(this.options.tls)
        : (input, init) => fetch(input, init));
    const res = await this.streamFetch(this.url(path), {
      method: 'GET',
      headers: {
        Authorization: `Bearer ${this.options.token}`,
        'User-Agent': this.userAgent,
        Accept: 'text/event-stream',
        ...options.headers,
      },
      signal: options.signal,
    });
    if (!res.ok) {
      const text = await res.text();
      throw errorFromResponse(res.status, parseBody(text, res.headers.get('content-type')), {
        method: 'GET',
        path,
        requestId: res.headers.get('x-request-id') ?? undefined,
      });
    }
    return res;
  }

  private url(path: string, query: Record<string, QueryValue> = {}): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) {
        params.set(key, String(value));
      }
    }
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  private async once<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.options.token}`,
      'User-Agent': this.userAgent,
      Accept: 'application/json, application/problem+json',
    };
    if (req.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (req.ifMatch !== undefined) {
      headers['If-Match'] = req.ifMatch;
    }
    if (req.idempotencyKey !== undefined) {
      headers['Idempotency-Key'] = req.idempotencyKey;
    }
    const context = { method: req.method, path: req.path };
    let res: TransportResponse;
    try {
      res = await this.transport({
        method: req.method,
        url: this.url(req.path, req.query),
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      throw networkError(error, context);
    }
    const requestId = res.header('x-request-id');
    const body = parseBody(res.text, res.header('content-type') ?? null);
    if (!(res.status >= 200 && res.status < 300)) {
      const retryAfterSeconds =
        parseRetryAfter(res.header('retry-after') ?? null, this.clock.now()) ??
        (res.status === 429 || res.status === 503 ? parseRateLimitReset(res.header) : undefined);
      throw errorFromResponse(res.status, body, { ...context, requestId, retryAfterSeconds });
    }
    return {
      status: res.status,
      body: body as T,
      etag: res.header('etag'),
      requestId,
      replayed: res.header('idempotent-replayed') === 'true',
    };
  }
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text.length === 0) {
    return undefined;
  }
  if (contentType !== null && /json/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function emitInsecureWarning(message: string): void {
  process.emitWarning(message, { code: 'NIMBUS_INSECURE_TLS' });
}

/** A transport failure (no HTTP answer): connection refused/reset, DNS, TLS, timeout. */
function networkError(error: unknown, context: { method: string; path: string }): CloudApiError {
  const err = error as { name?: string; message?: string; code?: string; cause?: unknown };
  const cause = err.cause as { code?: string; message?: string } | undefined;
  const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
  const tls = timedOut
    ? undefined
    : describeTlsFailure(cause?.code ?? err.code, cause?.message ?? err.message ?? '');
  if (tls) {
    const code = cause?.code ?? err.code ?? 'TLS';
    return new TlsError(
      { status: 0, code, detail: tls, retryable: false, ...context },
      { cause: error },
    );
  }
  const code = timedOut ? 'TIMEOUT' : (cause?.code ?? err.code ?? 'NETWORK');
  const detail = timedOut
    ? 'the request timed out'
    : `${err.message ?? String(error)}${cause?.message ? `: ${cause.message}` : ''}`;
  return new NetworkError(
    { status: 0, code, detail, retryable: true, ...context },
    { cause: error },
  );
}
