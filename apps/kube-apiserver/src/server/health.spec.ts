import type { ServerResponse } from 'node:http';
import { HealthEndpoints, type HealthState } from './health';

/** The status and body a ServerResponse was given (sendRaw's writeHead + end). */
function fakeResponse() {
  const answer = { status: 0, body: '' };
  const res = {
    writeHead: (status: number) => (answer.status = status),
    end: (body: string) => (answer.body = body),
  } as unknown as ServerResponse;
  return { res, answer };
}

describe('HealthEndpoints', () => {
  let state: { started: boolean; failure?: Error; shuttingDown: boolean };
  let health: HealthEndpoints;

  beforeEach(() => {
    state = { started: true, shuttingDown: false };
    const view: HealthState = {
      started: () => state.started,
      storageFailure: () => state.failure,
      shuttingDown: () => state.shuttingDown,
    };
    health = new HealthEndpoints(view);
  });

  const answer = (path: string, query = '') => {
    const { res, answer: out } = fakeResponse();
    const route = health.route(path)!;
    if (route.check) {
      health.answerCheck(res, route.check);
    } else {
      health.answer(res, route.endpoint, new URLSearchParams(query));
    }
    return out;
  };

  it('should answer a bare ok when every check passes', () => {
    expect(answer('/readyz')).toEqual({ status: 200, body: 'ok' });
  });

  it('should fail readyz but not livez while shutting down, always verbose on failure', () => {
    state.shuttingDown = true;
    const readyz = answer('/readyz');
    expect(readyz.status).toBe(500);
    expect(readyz.body).toContain('[-]shutdown failed: reason withheld\n');
    expect(readyz.body.endsWith('readyz check failed\n')).toBe(true);
    expect(answer('/livez')).toEqual({ status: 200, body: 'ok' });
    expect(answer('/readyz/shutdown')).toEqual({
      status: 500,
      body: 'internal server error: process is shutting down\n',
    });
  });

  it('should fail every endpoint when the store failed, unless etcd is excluded', () => {
    state.failure = new Error('disk I/O error');
    for (const path of ['/healthz', '/livez', '/readyz']) {
      expect(answer(path).status).toBe(500);
    }
    expect(answer('/livez', 'exclude=etcd').status).toBe(200);
    expect(answer('/livez/etcd').body).toBe('internal server error: disk I/O error\n');
  });

  it('should fail the post-start hooks until the bootstrap is done', () => {
    state.started = false;
    expect(answer('/healthz', 'verbose').body).toContain(
      '[-]poststarthook/rbac/bootstrap-roles failed: reason withheld',
    );
  });

  it('should not route unknown checks or other paths', () => {
    expect(health.route('/readyz/nope')).toBeUndefined();
    expect(health.route('/livez/shutdown')).toBeUndefined();
    expect(health.route('/healthzz')).toBeUndefined();
  });
});
