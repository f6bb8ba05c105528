import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { propertyTestSettings } from '@app/config';
import { SqliteDatabase } from '@app/persistence';
import { startHarness, type Harness } from './cloud-api-harness';
import {
  MUST_REFUSE,
  badRequestsFor,
  type BadRequest,
  type Fixtures,
} from './support/bad-requests';
import { loadCloudApiDocument, operationsOf, type Operation } from './support/openapi-operations';

// Bad input generated from openapi/cloud-api.json: every answer < 500, problem+json naming the
// field, and nothing written (a digest of every state table before and after each call).
// CI runs a fixed seed and count; NIMBUS_PROPERTY_RUNS / NIMBUS_PROPERTY_SEED dig deeper.
jest.setTimeout(600_000);

/** Tables that only record (audit) or meter (rate limits) calls: they change on every request. */
const NOT_STATE = new Set(['audit_log', 'rate_limit_buckets', 'migrations', 'sqlite_sequence']);

const settings = propertyTestSettings(400);

describe('generated bad input (cloud API)', () => {
  let h: Harness;
  let db: SqliteDatabase;
  let fixtures: Fixtures;
  const tally = {
    tried: 0,
    byStatus: new Map<number, number>(),
    serverErrors: 0,
    writesFromRejected: 0,
    accepted: 0,
  };

  beforeAll(async () => {
    h = await startHarness({ rateLimits: 'off', transitionMs: 0 });
    db = h.app.get(SqliteDatabase);
    fixtures = await createFixtures(h);
  });

  afterAll(async () => {
    process.stderr.write(
      `cloud API bad input: ${tally.tried} requests (seed ${settings.seed}), ` +
        `${tally.serverErrors} answers ≥ 500, ${tally.writesFromRejected} writes from rejected requests, ` +
        `${tally.accepted} accepted, by status ${JSON.stringify(Object.fromEntries(tally.byStatus))}\n`,
    );
    await h?.close();
  });

  /** A hash of every state table's rows (the audit log and rate-limit buckets excluded). */
  const digest = (): string => {
    const tables = db
      .all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .map((t) => t.name)
      .filter((name) => !NOT_STATE.has(name));
    const hash = createHash('sha256');
    for (const table of tables) {
      hash.update(table);
      hash.update(
        JSON.stringify(
          db.connection.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).raw().all(),
        ),
      );
    }
    return hash.digest('hex');
  };

  const send = (r: BadRequest) => {
    const auth = r.op.admin || /^\/(admin|v1\/projects)\b/.test(r.op.path) ? h.adminAuth : h.auth;
    let call = h.http[r.op.method](r.path).set(auth).set(r.headers).query(r.query).timeout(20_000);
    if (r.body !== undefined) {
      call = call.set('Content-Type', r.contentType ?? 'application/json').send(r.body);
    }
    return call;
  };

  /** What is wrong with the answer to `r`, or undefined. */
  const check = async (r: BadRequest): Promise<string | undefined> => {
    const before = digest();
    const res = await send(r);
    tally.tried++;
    tally.byStatus.set(res.status, (tally.byStatus.get(res.status) ?? 0) + 1);
    const where = `${r.kind} ${r.field ?? ''} → ${r.op.method.toUpperCase()} ${r.path.slice(0, 80)} ${JSON.stringify(r.query).slice(0, 80)} ${JSON.stringify(r.headers).slice(0, 60)}: ${res.status} ${res.text.slice(0, 240)}`;
    if (res.status >= 500) {
      tally.serverErrors++;
      return `server error: ${where}`;
    }
    if (res.status < 400) {
      tally.accepted++;
      return MUST_REFUSE.has(r.kind) ? `accepted: ${where}` : undefined;
    }
    if (digest() !== before) {
      tally.writesFromRejected++;
      return `a rejected request wrote: ${where}`;
    }
    if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) {
      return `not problem+json: ${where}`;
    }
    const problem = res.body as {
      code?: string;
      detail?: string;
      fieldViolations?: { field: string }[];
    };
    if (typeof problem.code !== 'string' || typeof problem.detail !== 'string') {
      return `no code or detail: ${where}`;
    }
    if (problem.code === 'INVALID_ARGUMENT') {
      const fields = (problem.fieldViolations ?? []).map((v) => v.field);
      if (fields.length === 0 || fields.some((f) => !f)) {
        return `no field named: ${where}`;
      }
      if (r.field && MUST_REFUSE.has(r.kind) && r.kind !== 'badPathId' && !names(fields, r.field)) {
        return `field ${r.field} not named (${fields.join(', ')}): ${where}`;
      }
    }
    if (problem.code === 'PRECONDITION_FAILED' && !problem.detail.includes('If-Match')) {
      return `412 without If-Match named: ${where}`;
    }
    return undefined;
  };
  const failures: string[] = [];

  it('answers every generated bad request < 500 with a problem naming the field, writing nothing', async () => {
    const operations = operationsOf(loadCloudApiDocument()).filter(
      // The change stream is a long-lived response; its bad Last-Event-ID has its own test.
      (op) => !(op.path === '/v1/events/stream'),
    );
    const mutable = operations.filter(
      (op) =>
        op.body ||
        op.rawBodyType ||
        op.pathParams.length ||
        op.headers.length ||
        op.queryParams.length,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...mutable).chain((op) => badRequestsFor(op, fixtures)),
        async (r) => {
          const failure = await check(r);
          if (failure) {
            failures.push(failure);
          }
        },
      ),
      { seed: settings.seed, numRuns: settings.numRuns, endOnFailure: true },
    );
    // Every failure at once (a property stopping at the first hides the rest).
    expect(
      [...new Set(failures)]
        .sort((a, b) => Number(b.startsWith('server')) - Number(a.startsWith('server')))
        .slice(0, 30),
    ).toEqual([]);
    expect(tally.serverErrors).toBe(0);
    expect(tally.writesFromRejected).toBe(0);
  });

  it('refuses a bad Last-Event-ID on the change stream with a problem naming it, at once', async () => {
    for (const bad of ['abc', '-1', '1.5', '9'.repeat(40), '1e3', ' ']) {
      const res = await h.http
        .get('/v1/events/stream')
        .set(h.auth)
        .set('Last-Event-ID', bad)
        .timeout(10_000);
      tally.tried++;
      expect(res.status).toBe(400);
      expect(res.body.fieldViolations[0].field).toBe('Last-Event-ID');
    }
  });
});

/** True when a violation names `field`, a part of it, or something inside it. */
function names(fields: string[], field: string): boolean {
  const norm = (f: string) => f.replace(/\[\d+\]/g, '[]').toLowerCase();
  const wanted = norm(field);
  return fields.some((f) => {
    const got = norm(f);
    return (
      got === wanted ||
      got.startsWith(`${wanted}.`) ||
      got.startsWith(`${wanted}[`) ||
      wanted.startsWith(`${got}.`) ||
      wanted.startsWith(`${got}[`)
    );
  });
}

/** One of everything, so path ids and body references point at real resources. */
async function createFixtures(h: Harness): Promise<Fixtures> {
  const post = async (path: string, body: object, auth = h.auth) =>
    (await h.http.post(path).set(auth).send(body)).body as Record<string, { id: string }>;
  const instance = (
    await post('/v1/instances', { name: 'fx-i', zone: 'nimbus-1a', instanceType: 'nb.small' })
  ).instance;
  const volume = (await post('/v1/volumes', { name: 'fx-v', zone: 'nimbus-1a', sizeGiB: 10 }))
    .volume;
  const network = (await post('/v1/networks', { name: 'fx-n', cidr: '10.9.0.0/16' })).network;
  const route = (
    await post(`/v1/networks/${network.id}/routes`, {
      name: 'fx-r',
      destinationCidr: '10.244.9.0/24',
      nextHop: { instanceId: instance.id },
    })
  ).route;
  const lb = (
    await post('/v1/load-balancers', {
      name: 'fx-lb',
      listeners: [{ protocol: 'TCP', port: 80, targetPort: 30080 }],
    })
  ).loadBalancer;
  const operation = (await h.http.get('/v1/operations').set(h.auth)).body.items[0] as {
    id: string;
  };
  await post('/v1/projects', { id: 'fx-project' }, h.adminAuth);
  const token = (await post(
    '/v1/projects/fx-project/tokens',
    { name: 'fx' },
    h.adminAuth,
  )) as unknown as {
    id: string;
  };
  const fault = (await post(
    '/admin/faults',
    { match: { operation: 'nothing.ever' }, effect: { type: 'error', status: 503 } },
    h.adminAuth,
  )) as unknown as { id: string };
  for (const [name, value] of Object.entries({
    instance,
    volume,
    network,
    route,
    lb,
    operation,
    token,
    fault,
  })) {
    if (!value?.id) {
      throw new Error(`fixture ${name} was not created`);
    }
  }
  return {
    known: { instanceId: instance.id, instanceIds: [instance.id] },
    pathIds(op: Operation) {
      const p = op.path;
      const id =
        p.startsWith('/v1/instances') || p.startsWith('/admin/instances')
          ? instance.id
          : p.startsWith('/v1/volumes')
            ? volume.id
            : p.includes('/routes/') || p.startsWith('/admin/routes')
              ? route.id
              : p.startsWith('/v1/networks')
                ? network.id
                : p.startsWith('/v1/load-balancers') || p.startsWith('/admin/load-balancers')
                  ? lb.id
                  : p.startsWith('/v1/operations')
                    ? operation.id
                    : p.startsWith('/admin/faults')
                      ? fault.id
                      : 'fx-project';
      return { id, networkId: network.id, projectId: 'fx-project', tokenId: token.id };
    },
  };
}
