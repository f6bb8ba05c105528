import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../auth/token-authenticator';
import { KubeError } from '../errors/kube-error';
import { sendJson } from '../server/responses';
import { isPriorityRequest, mayBePriority } from './priority-lane';

export interface InFlightLimits {
  /** `--max-requests-inflight` (upstream default 400); 0 = no limit. */
  readOnly: number;
  /** `--max-mutating-requests-inflight` (upstream default 200); 0 = no limit. */
  mutating: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Subresources upstream's BasicLongRunningRequestCheck exempts, next to the watch verb. */
const LONG_RUNNING_SUBRESOURCE = /\/(log|exec|attach|portforward|proxy)(\/|$|\?)/;
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Upstream's WithMaxInFlightLimit (k8s.io/apiserver filters/maxinflight.go): at most `readOnly`
 * reads and `mutating` writes are served at once; one more is answered at once with 429,
 * `Retry-After: 1` and "Too many requests, please try again later." instead of queueing without
 * bound. Long-running requests (watches, logs, exec) are not counted; `system:masters` is never
 * refused ("a super-admin or a loopback connection … should always get an answer"), nor are
 * leader-election and node-heartbeat requests (the priority lane, see `isPriorityRequest`): they
 * are served at once and take no seat.
 */
export class MaxInFlightLimiter {
  private readonly inFlight = { readOnly: 0, mutating: 0 };
  /** Requests refused, by kind (upstream's apiserver_dropped_requests_total). */
  readonly dropped = { readOnly: 0, mutating: 0 };
  /** Requests served through the priority lane (leases, node heartbeats). */
  prioritized = 0;

  constructor(
    private readonly limits: InFlightLimits,
    private readonly authenticate: (authorization: string | undefined) => UserInfo | undefined,
  ) {}

  wrap(handler: Handler): Handler {
    if (this.limits.readOnly === 0 && this.limits.mutating === 0) {
      return handler;
    }
    return (req, res) => {
      if (isLongRunning(req) || this.isPriority(req)) {
        handler(req, res);
        return;
      }
      const kind = READ_METHODS.has(req.method ?? 'GET') ? 'readOnly' : 'mutating';
      const limit = this.limits[kind];
      if (limit === 0) {
        handler(req, res);
        return;
      }
      if (this.inFlight[kind] >= limit && !this.isMaster(req)) {
        this.dropped[kind]++;
        tooManyRequests(req, res);
        return;
      }
      this.inFlight[kind]++;
      let released = false;
      const release = () => {
        if (!released) {
          released = true;
          this.inFlight[kind]--;
        }
      };
      res.once('finish', release);
      res.once('close', release);
      handler(req, res);
    };
  }

  /** Requests being served now, by kind. */
  current(): { readOnly: number; mutating: number } {
    return { ...this.inFlight };
  }

  private isPriority(req: IncomingMessage): boolean {
    const path = (req.url ?? '').split('?')[0];
    if (!mayBePriority(path)) {
      return false;
    }
    const user = this.authenticate(req.headers.authorization);
    if (!isPriorityRequest(req.method ?? 'GET', path, user)) {
      return false;
    }
    this.prioritized++;
    return true;
  }

  private isMaster(req: IncomingMessage): boolean {
    return this.authenticate(req.headers.authorization)?.groups.includes('system:masters') ?? false;
  }
}

function isLongRunning(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  const query = url.includes('?')
    ? new URLSearchParams(url.slice(url.indexOf('?') + 1))
    : undefined;
  const watch = query?.get('watch');
  return (
    watch === 'true' ||
    watch === '1' ||
    /^\/(api\/v1|apis\/[^/]+\/[^/]+)\/watch\//.test(url) ||
    LONG_RUNNING_SUBRESOURCE.test(url.split('?')[0])
  );
}

function tooManyRequests(req: IncomingMessage, res: ServerResponse): void {
  // The body is never read: drain it so the connection stays usable for the client's retry.
  req.resume();
  // Upstream writes this message as text/plain; Nimbus keeps its one error shape (a Status), which
  // client-go reads the same way (429 + Retry-After → retried).
  const status = new KubeError(
    429,
    'TooManyRequests',
    'Too many requests, please try again later.',
    { retryAfterSeconds: 1 },
  );
  sendJson(res, 429, status.toStatus(), { 'Retry-After': '1' });
}
