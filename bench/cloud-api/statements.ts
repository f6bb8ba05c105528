/**
 * npm run bench:cloud-api:statements — how many SQL statements, writes and commits (write
 * transactions, including single writes outside one) one call of each benchmarked endpoint runs,
 * averaged over 50 calls, counted in-process on the real app and a real SQLite file with the
 * flags of bench:cloud-api. Counts, not timings: they do not depend on the machine. The audit log's
 * inserts are left out: they are batched off the request path (one transaction per 500 calls or
 * per second). BENCH_TRACE=1
 * prints every statement.
 */
import 'reflect-metadata';
import { CloudApiConfig, validateConfig } from '@app/config';
import { SqliteDatabase } from '@app/persistence';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createCloudApiApp } from '../../apps/cloud-api/src/create-app';

const TOKEN = 'bench-token-0123456789';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const CALLS = 50;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-statements-'));
  const config = validateConfig(CloudApiConfig, {
    dataDir,
    logLevel: 'silent',
    token: TOKEN,
    transitionMs: 0,
    quotas: 'instances=10000000,vcpus=100000000',
    rateLimits:
      'reads=1000000000:1000000000,mutations=1000000000:1000000000,instanceCreates=1000000000:1000000000',
  });
  const app = await createCloudApiApp(config);
  try {
    const db = app.get(SqliteDatabase);
    const counts = { statements: 0, writes: 0, commits: 0 };
    const count = (name: 'get' | 'all' | 'run') => {
      const original = db[name].bind(db) as (...args: unknown[]) => unknown;
      (db as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        if (/INSERT INTO audit_log/.test(String(args[0]))) {
          return original(...args); // batched off the request path: not counted
        }
        counts.statements++;
        if (process.env.BENCH_TRACE) {
          console.log(name, String(args[0]).replace(/\s+/g, ' ').slice(0, 140));
        }
        const write = name === 'run' || /^\s*(INSERT|UPDATE|DELETE)/i.test(String(args[0]));
        counts.writes += write ? 1 : 0;
        // A write outside a transaction commits on its own.
        counts.commits += write && !db.inTransaction ? 1 : 0;
        return original(...args);
      };
    };
    (['get', 'all', 'run'] as const).forEach(count);
    const transaction = db.transaction.bind(db);
    db.transaction = <T>(fn: () => T): T => {
      counts.commits += db.inTransaction ? 0 : 1;
      return transaction(fn);
    };
    const http = request(app.getHttpServer());
    let n = 0;
    const create = () =>
      http
        .post('/v1/instances')
        .set(AUTH)
        .set('Idempotency-Key', `key-${n}`)
        .send({ name: `i-${n++}`, zone: 'nimbus-1a', instanceType: 'nb.small' })
        .expect((res) => {
          if (!res.ok) {
            throw new Error(`create: ${res.status} ${res.text}`);
          }
        });
    const target = (await create()).body.instance.id as string;
    const endpoints: [string, () => Promise<unknown>][] = [
      ['GET /v1/instances/{id}', () => http.get(`/v1/instances/${target}`).set(AUTH).expect(200)],
      [
        'GET /v1/instances?pageSize=50',
        () => http.get('/v1/instances?pageSize=50').set(AUTH).expect(200),
      ],
      ['POST /v1/instances (Idempotency-Key each)', create],
    ];
    for (let i = 0; i < CALLS; i++) {
      await create(); // the list has 50 items to show; the buckets are warm
    }
    console.log(`| Endpoint | statements per call | of which writes | commits per call |`);
    console.log('|---|---|---|---|');
    for (const [name, call] of endpoints) {
      Object.assign(counts, { statements: 0, writes: 0, commits: 0 });
      for (let i = 0; i < CALLS; i++) {
        await call();
      }
      const per = (x: number) => (x / CALLS).toFixed(2);
      console.log(
        `| ${name} | ${per(counts.statements)} | ${per(counts.writes)} | ${per(counts.commits)} |`,
      );
    }
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
