import type { AdjustableClock } from '@app/common';
import {
  AlreadyExistsError,
  InvalidArgumentError,
  NimbusCloudClient,
  NotFoundError,
  UnauthenticatedError,
  collect,
  type CloudClientOptions,
} from '@app/cloud-client';
import {
  startCloudApiServer,
  type CloudApiServer,
} from '../../../apps/cloud-api/test/cloud-api-harness';

describe('NimbusCloudClient against the real cloud API (e2e)', () => {
  let api: CloudApiServer;
  let clock: AdjustableClock;

  beforeEach(async () => {
    api = await startCloudApiServer();
    clock = api.clock;
  });

  afterEach(async () => {
    await api.close();
  });

  /** A client whose waits advance the cloud's frozen clock instead of sleeping. */
  const clientWith = (options: Partial<CloudClientOptions> = {}) =>
    new NimbusCloudClient({
      baseUrl: api.url,
      token: api.token,
      sleep: (ms) => {
        clock.advance(ms);
        return Promise.resolve();
      },
      ...options,
    });

  const createInstance = (client: NimbusCloudClient, name: string) =>
    client.instances.create({ name, zone: 'nimbus-1b', instanceType: 'nb.small' });

  it('should replay a POST whose answer was lost instead of creating twice', async () => {
    let lost = 0;
    const client = clientWith({
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (init?.method === 'POST' && lost === 0) {
          lost++;
          await res.text();
          throw Object.assign(new TypeError('fetch failed'), {
            cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
          });
        }
        return res;
      },
    });

    const created = await createInstance(client, 'once');

    expect(lost).toBe(1);
    const all = await client.instances.findByName('once');
    expect(all.map((i) => i.id)).toEqual([created.instance.id]);
  });

  it('should page through every instance with small pages', async () => {
    const client = clientWith();
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      await createInstance(client, name);
    }

    const names = (await collect(client.instances.listAll({ pageSize: 2 }))).map((i) => i.name);

    expect(names).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect(
      (
        await client.instances.findByPrivateIp(
          (await client.instances.findByName('p3'))[0].privateIp,
        )
      ).map((i) => i.name),
    ).toEqual(['p3']);
  });

  it('should wait for an operation while the cloud settles it', async () => {
    const client = clientWith();
    const { operation } = await createInstance(client, 'waited');

    const done = await client.operations.wait(operation, { pollIntervalMs: 500 });

    expect(done.status).toBe('done');
    expect((await client.instances.get(done.target.id)).state).toBe('running');
  });

  it('should map the real problems to typed errors', async () => {
    const client = clientWith();
    await createInstance(client, 'taken');

    const notFound = await client.instances.get('i-00000000000000000').catch((e: unknown) => e);
    const invalid = await client.instances
      .create({ name: 'x', zone: 'mars-1a', instanceType: 'nb.small' })
      .catch((e: unknown) => e);
    const exists = await createInstance(client, 'taken').catch((e: unknown) => e);
    const unauthenticated = await clientWith({ token: 'wrong-token-000000000' })
      .catalog.regions()
      .catch((e: unknown) => e);

    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect((notFound as NotFoundError).requestId).toMatch(/^req-/);
    expect(invalid).toBeInstanceOf(InvalidArgumentError);
    expect((invalid as InvalidArgumentError).fieldViolations.map((f) => f.field)).toEqual(['zone']);
    expect(exists).toBeInstanceOf(AlreadyExistsError);
    expect(unauthenticated).toBeInstanceOf(UnauthenticatedError);
  });
});
