import type { ServerResponse } from 'node:http';
import { sendRaw } from './responses';

/** What the health checks look at. */
export interface HealthState {
  /** Bootstrap done: the system namespaces, the `kubernetes` Service, the RBAC defaults. */
  started(): boolean;
  /** Why the store stopped taking writes (a failed commit), if it did. */
  storageFailure(): Error | undefined;
  /** True once a graceful stop has begun (upstream's `shutdown` check). */
  shuttingDown(): boolean;
}

type Endpoint = 'healthz' | 'livez' | 'readyz';

interface Check {
  name: string;
  /** Which endpoints run it (upstream: `shutdown` is a readiness check only). */
  in: readonly Endpoint[];
  failure(state: HealthState): string | undefined;
}

const ALL: readonly Endpoint[] = ['healthz', 'livez', 'readyz'];
const notStarted = (state: HealthState) => (state.started() ? undefined : 'not finished');

/**
 * Upstream's checks, by their names, where Nimbus has the same thing: `etcd` is the storage
 * backend (SQLite here); the post-start hooks are the bootstrap steps Nimbus runs too.
 */
const CHECKS: readonly Check[] = [
  { name: 'ping', in: ALL, failure: () => undefined },
  { name: 'log', in: ALL, failure: () => undefined },
  { name: 'etcd', in: ALL, failure: (state) => state.storageFailure()?.message },
  { name: 'poststarthook/start-system-namespaces-controller', in: ALL, failure: notStarted },
  { name: 'poststarthook/bootstrap-controller', in: ALL, failure: notStarted },
  { name: 'poststarthook/rbac/bootstrap-roles', in: ALL, failure: notStarted },
  {
    name: 'poststarthook/scheduling/bootstrap-system-priority-classes',
    in: ALL,
    failure: notStarted,
  },
  {
    name: 'shutdown',
    in: ['readyz'],
    failure: (state) => (state.shuttingDown() ? 'process is shutting down' : undefined),
  },
];

const TEXT = 'text/plain; charset=utf-8';
const NO_SNIFF = { 'X-Content-Type-Options': 'nosniff' };

/**
 * `/healthz`, `/livez`, `/readyz` (public, as upstream's system:public-info-viewer grants) and
 * `/<endpoint>/<check>` (authorised like any other non-resource URL), as the generic api-server's
 * healthz package answers them: "ok"; `?verbose` lists every check; `?exclude=<check>` skips one; a
 * failure answers 500 with the list and "<endpoint> check failed".
 */
export class HealthEndpoints {
  constructor(private readonly state: HealthState) {}

  /** Which endpoint and check a path names, or undefined when it is not a health path. */
  route(path: string): { endpoint: Endpoint; check?: Check } | undefined {
    const match = /^\/(healthz|livez|readyz)(?:\/(.+))?$/.exec(path);
    if (!match) {
      return undefined;
    }
    const endpoint = match[1] as Endpoint;
    if (match[2] === undefined) {
      return { endpoint };
    }
    const check = CHECKS.find((c) => c.name === match[2] && c.in.includes(endpoint));
    return check ? { endpoint, check } : undefined;
  }

  /** Answers one health check (adaptCheckToHandler). */
  answerCheck(res: ServerResponse, check: Check): void {
    const failure = check.failure(this.state);
    if (failure === undefined) {
      sendRaw(res, 200, 'ok', TEXT, NO_SNIFF);
    } else {
      sendRaw(res, 500, `internal server error: ${failure}\n`, TEXT, NO_SNIFF);
    }
  }

  /** Answers a whole endpoint (handleRootHealth). */
  answer(res: ServerResponse, endpoint: Endpoint, query: URLSearchParams): void {
    const excluded = new Set(query.getAll('exclude'));
    let lines = '';
    let failed = false;
    for (const check of CHECKS.filter((c) => c.in.includes(endpoint))) {
      if (excluded.delete(check.name)) {
        lines += `[+]${check.name} excluded: ok\n`;
      } else if (check.failure(this.state) !== undefined) {
        lines += `[-]${check.name} failed: reason withheld\n`;
        failed = true;
      } else {
        lines += `[+]${check.name} ok\n`;
      }
    }
    if (excluded.size > 0) {
      const names = [...excluded].sort().map((name) => `"${name}"`);
      lines += `warn: some health checks cannot be excluded: no matches for ${names.join(',')}\n`;
    }
    if (failed) {
      // Always verbose on failure (Go's http.Error adds the newline).
      sendRaw(res, 500, `${lines}${endpoint} check failed\n`, TEXT, NO_SNIFF);
    } else if (query.has('verbose')) {
      sendRaw(res, 200, `${lines}${endpoint} check passed\n`, TEXT, NO_SNIFF);
    } else {
      sendRaw(res, 200, 'ok', TEXT, NO_SNIFF);
    }
  }
}
