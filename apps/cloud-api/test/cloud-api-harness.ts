import type { NestExpressApplication } from '@nestjs/platform-express';
import { AdjustableClock } from '@app/common';
import { CloudApiConfig, validateConfig } from '@app/config';
import { tempDir } from '@app/testing';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createCloudApiApp } from '../src/create-app';
import type { CloudApiRuntime } from '../src/core.module';
import { startCloudApi } from '../src/start-cloud-api';

export const TOKEN = 'test-project-token-0001';
export const ADMIN_TOKEN = 'test-admin-token-00000001';

export interface Harness {
  app: NestExpressApplication;
  http: TestAgent;
  clock: AdjustableClock;
  dataDir: string;
  /** Bearer header value for the default project's token. */
  auth: { Authorization: string };
  adminAuth: { Authorization: string };
  /**
   * Restarts the app on the same data directory (state must survive). A `clock` replaces the
   * harness clock, e.g. a fresh one to see the stored clock restored.
   */
  restart(options?: { clock?: AdjustableClock }): Promise<void>;
  /** Another app on the same data directory and clock, as a second process would be. */
  startSibling(): Promise<{ app: NestExpressApplication; http: TestAgent }>;
  close(): Promise<void>;
}

/**
 * The real cloud API on a temporary SQLite file with the real migrations, a frozen clock the test
 * advances, and fixed tokens. Requests go through supertest to the in-process HTTP server.
 */
export async function startHarness(
  options: Record<string, unknown> = {},
  runtime: Omit<CloudApiRuntime, 'clock'> = {},
): Promise<Harness> {
  const dir = tempDir('nimbus-cloud-api-');
  const config: CloudApiConfig = validateConfig(CloudApiConfig, {
    dataDir: dir.path,
    logLevel: 'silent',
    token: TOKEN,
    adminToken: ADMIN_TOKEN,
    ...options,
  });
  const clock = new AdjustableClock();
  clock.freeze();
  const siblings: NestExpressApplication[] = [];
  const app = await createCloudApiApp(config, { ...runtime, clock }).catch((error: unknown) => {
    dir.remove();
    throw error;
  });
  const harness: Harness = {
    app,
    http: undefined as unknown as TestAgent,
    clock,
    dataDir: dir.path,
    auth: { Authorization: `Bearer ${TOKEN}` },
    adminAuth: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    async restart(restartOptions = {}) {
      await harness.app.close();
      harness.clock = restartOptions.clock ?? harness.clock;
      harness.app = await createCloudApiApp(config, { ...runtime, clock: harness.clock });
      harness.http = request(harness.app.getHttpServer());
    },
    async startSibling() {
      const app = await createCloudApiApp(config, { clock: harness.clock });
      siblings.push(app);
      return { app, http: request(app.getHttpServer()) };
    },
    async close() {
      for (const app of siblings) {
        await app.close();
      }
      await harness.app.close();
      dir.remove();
    },
  };
  harness.http = request(harness.app.getHttpServer());
  return harness;
}

/** Creates a project and a token in it through the admin API; returns the bearer header. */
export async function projectWithToken(
  h: Harness,
  projectId: string,
): Promise<{ Authorization: string }> {
  await h.http.post('/v1/projects').set(h.adminAuth).send({ id: projectId }).expect(201);
  const res = await h.http
    .post(`/v1/projects/${projectId}/tokens`)
    .set(h.adminAuth)
    .send({ name: 'main' })
    .expect(201);
  return { Authorization: `Bearer ${(res.body as { secret: string }).secret}` };
}

/** Follows nextPageToken through a list endpoint; returns every item and the number of pages. */
export async function pageThrough<T>(
  h: Harness,
  path: string,
  auth: { Authorization: string },
  pageSize: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const res = await h.http
      .get(path)
      .query({ pageSize, ...(token ? { pageToken: token } : {}) })
      .set(auth)
      .expect(200);
    const body = res.body as { items: T[]; nextPageToken?: string };
    items.push(...body.items);
    token = body.nextPageToken;
    pages++;
  } while (token);
  return { items, pages };
}

export interface CloudApiServer {
  /** e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Frozen; advance it to let transitions happen. */
  clock: AdjustableClock;
  /** The default project's token. */
  token: string;
  close(): Promise<void>;
}

/**
 * The real cloud API listening on an ephemeral loopback port (for HTTP clients such as
 * libs/cloud-client), in memory, with a frozen clock and fixed tokens.
 */
export async function startCloudApiServer(
  options: Record<string, unknown> = {},
): Promise<CloudApiServer> {
  const clock = new AdjustableClock();
  clock.freeze();
  const config: CloudApiConfig = validateConfig(CloudApiConfig, {
    dataDir: ':memory:',
    port: 0,
    logLevel: 'silent',
    token: TOKEN,
    adminToken: ADMIN_TOKEN,
    ...options,
  });
  const running = await startCloudApi(config, { clock });
  return { url: running.url, clock, token: TOKEN, close: () => running.close() };
}
