import { request } from 'node:https';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { raw, stream, type RawStream } from './support/raw-client';
import { startTestServer, type TestServer } from './support/test-server';

// Load shedding like upstream's max-in-flight filter: past the limit a request is answered at
// once with 429 + Retry-After instead of queueing; nothing acknowledged is lost; it recovers.
// Requests are held in flight deterministically by sending their headers and holding the body.
jest.setTimeout(120_000);

const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

describe('overload: max requests in flight (e2e)', () => {
  let t: TestServer;
  let token: string;
  const watches: RawStream[] = [];

  beforeAll(async () => {
    // A user outside system:masters (which is exempt), allowed everything so requests stay in
    // flight rather than being refused by RBAC before their body is read.
    t = await startTestServer({
      maxRequestsInflight: 2,
      maxMutatingRequestsInflight: 2,
      authorizationMode: 'AlwaysAllow',
    });
    token = t.server.tokenFor('system:cloud-controller-manager')!;
  });

  afterAll(async () => {
    watches.forEach((w) => w.close());
    await t?.stop();
  });

  const auth = () => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });
  const body = (name: string) => JSON.stringify({ metadata: { name }, data: { k: name } });

  /** A create whose body is held back until `release()`: it stays in flight meanwhile. */
  const heldCreate = (name: string) => {
    const text = body(name);
    let req!: ClientRequest;
    const answered = new Promise<IncomingMessage>((resolve, reject) => {
      const base = new URL(t.server.url);
      req = request(
        {
          hostname: base.hostname,
          port: base.port,
          path: CONFIGMAPS,
          method: 'POST',
          ca: t.server.caCert,
          headers: { ...auth(), 'Content-Length': String(Buffer.byteLength(text)) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res));
        },
      );
      req.on('error', reject);
    });
    req.write(text.slice(0, 5));
    return { answered, release: () => req.end(text.slice(5)) };
  };

  const create = (name: string, headers = auth()) =>
    raw(t.server, CONFIGMAPS, { method: 'POST', body: body(name), headers });

  const names = async () =>
    (await raw(t.server, CONFIGMAPS))
      .json<{ items: { metadata: { name: string } }[] }>()
      .items.map((i) => i.metadata.name)
      .sort();

  it('answers 429 with Retry-After past the mutating limit, exempts reads, watches and system:masters, and recovers', async () => {
    const acknowledged: string[] = [];
    const held = [heldCreate('held-1'), heldCreate('held-2')];
    // Wait until both hold their slots: the next create is refused (creates that slipped in
    // before are acknowledged writes like any other and are checked at the end).
    let refused;
    for (let i = 0; !refused; i++) {
      const res = await create(`probe-${i}`);
      if (res.status === 201) {
        acknowledged.push(`probe-${i}`);
      } else {
        refused = res;
      }
    }
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Too many requests, please try again later.',
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 1 },
      code: 429,
    });

    // The priority lane: leader election is served while the writes are saturated (upstream's
    // leader-election priority level), so a controller-manager does not lose its lease to load.
    const lease = await raw(
      t.server,
      '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases',
      {
        method: 'POST',
        body: JSON.stringify({
          metadata: { name: 'kube-controller-manager' },
          spec: { holderIdentity: 'kcm-1', leaseDurationSeconds: 15 },
        }),
        headers: {
          Authorization: `Bearer ${t.server.tokenFor('system:kube-controller-manager')!}`,
          'Content-Type': 'application/json',
        },
      },
    );
    expect(lease.status).toBe(201);
    expect((await create('still-refused')).status).toBe(429);
    // Both refusals are counted as upstream counts them.
    const metrics = await raw(t.server, '/metrics', {
      headers: { Authorization: `Bearer ${t.server.adminToken}` },
    });
    expect(metrics.text).toContain('apiserver_dropped_requests_total{request_kind="mutating"} 2');

    // Reads have their own limit; watches are long-running and never counted.
    for (let i = 0; i < 3; i++) {
      watches.push(
        await stream(t.server, `${CONFIGMAPS}?watch=true`, { Authorization: `Bearer ${token}` }),
      );
    }
    expect((await raw(t.server, CONFIGMAPS, { headers: auth() })).status).toBe(200);
    // system:masters always gets an answer (upstream's exemption).
    const admin = await create('by-admin', {
      Authorization: `Bearer ${t.server.adminToken}`,
      'Content-Type': 'application/json',
    });
    expect(admin.status).toBe(201);
    acknowledged.push('by-admin');

    held.forEach((h) => h.release());
    for (const h of held) {
      expect((await h.answered).statusCode).toBe(201);
    }
    acknowledged.push('held-1', 'held-2');
    const recovered = await create('after');
    expect(recovered.status).toBe(201);
    acknowledged.push('after');
    expect(await names()).toEqual([...acknowledged].sort());
  });

  it('loses nothing acknowledged under a burst past the limit (clients retry 429s)', async () => {
    const before = new Set(await names());
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const name = `burst-${i}`;
        for (let attempt = 0; attempt < 50; attempt++) {
          const res = await create(name);
          if (res.status === 201) {
            return { name, refused: attempt };
          }
          expect(res.status).toBe(429);
          // Honour Retry-After in spirit without slowing the suite: yield, then retry.
          await new Promise((resolve) => setImmediate(resolve));
        }
        return { name, refused: -1 };
      }),
    );
    expect(outcomes.filter((o) => o.refused < 0)).toEqual([]);
    // The burst did go past the limit (otherwise this proves nothing).
    expect(outcomes.some((o) => o.refused > 0)).toBe(true);
    const stored = (await names()).filter((n) => !before.has(n));
    expect(stored).toEqual(outcomes.map((o) => o.name).sort());
  });
});
