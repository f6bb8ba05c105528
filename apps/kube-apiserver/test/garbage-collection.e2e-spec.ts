import { raw } from './support/raw-client';
import { eventually, startTestServer, type TestServer } from './support/test-server';

// ownerReferences: Background, Orphan and Foreground deletion through the built-in collector.
jest.setTimeout(30_000);

const json = { 'Content-Type': 'application/json' };

describe('garbage collection', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });

  afterAll(async () => {
    await t?.stop();
  });

  const create = async (resource: string, body: Record<string, unknown>) =>
    (
      await raw(t.server, `/api/v1/namespaces/default/${resource}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: json,
      })
    ).json<{
      metadata: { uid: string; name: string };
    }>();
  const ownedBy = (owner: { metadata: { uid: string; name: string } }) => [
    { apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name, uid: owner.metadata.uid },
  ];
  const status = async (path: string) => (await raw(t.server, path)).status;
  const remove = (path: string, policy: string) =>
    raw(t.server, path, {
      method: 'DELETE',
      body: JSON.stringify({ propagationPolicy: policy }),
      headers: json,
    });

  it('should delete dependents after their owner (Background)', async () => {
    const owner = await create('configmaps', { metadata: { name: 'owner-bg' } });
    await create('secrets', { metadata: { name: 'dep-bg', ownerReferences: ownedBy(owner) } });
    await remove('/api/v1/namespaces/default/configmaps/owner-bg', 'Background');
    await eventually(async () =>
      expect(await status('/api/v1/namespaces/default/secrets/dep-bg')).toBe(404),
    );
  });

  it('should delete a dependent whose owner was gone when the reference was written, and keep one whose owner kind is not served', async () => {
    // Upstream's graph builder adds a virtual node for an owner it has not seen and the collector
    // verifies it absent (a controller acting on a stale cache writes such references).
    const owner = await create('configmaps', { metadata: { name: 'owner-gone' } });
    await remove('/api/v1/namespaces/default/configmaps/owner-gone', 'Background');
    await eventually(async () =>
      expect(await status('/api/v1/namespaces/default/configmaps/owner-gone')).toBe(404),
    );
    // Written first: an owner of a kind this server does not serve cannot be verified absent.
    await create('secrets', {
      metadata: {
        name: 'dep-unserved-owner',
        ownerReferences: [
          { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'no-such-uid' },
        ],
      },
    });
    await create('secrets', { metadata: { name: 'dep-late', ownerReferences: ownedBy(owner) } });
    await eventually(async () =>
      expect(await status('/api/v1/namespaces/default/secrets/dep-late')).toBe(404),
    );
    expect(await status('/api/v1/namespaces/default/secrets/dep-unserved-owner')).toBe(200);
  });

  it('should keep dependents and drop their references (Orphan)', async () => {
    const owner = await create('configmaps', { metadata: { name: 'owner-orphan' } });
    await create('secrets', { metadata: { name: 'dep-orphan', ownerReferences: ownedBy(owner) } });
    await remove('/api/v1/namespaces/default/configmaps/owner-orphan', 'Orphan');
    await eventually(async () =>
      expect(await status('/api/v1/namespaces/default/configmaps/owner-orphan')).toBe(404),
    );
    const dependent = (await raw(t.server, '/api/v1/namespaces/default/secrets/dep-orphan')).json<{
      metadata: Record<string, unknown>;
    }>();
    expect(dependent.metadata.ownerReferences).toBeUndefined();
  });

  it('should remove the owner only after its dependents (Foreground)', async () => {
    const owner = await create('configmaps', { metadata: { name: 'owner-fg' } });
    await create('secrets', {
      metadata: { name: 'dep-fg', finalizers: ['test/hold'], ownerReferences: ownedBy(owner) },
    });
    await remove('/api/v1/namespaces/default/configmaps/owner-fg', 'Foreground');
    await eventually(async () => {
      const dep = (await raw(t.server, '/api/v1/namespaces/default/secrets/dep-fg')).json<{
        metadata: { deletionTimestamp?: string };
      }>();
      expect(dep.metadata.deletionTimestamp).toBeDefined();
    });
    const waiting = (await raw(t.server, '/api/v1/namespaces/default/configmaps/owner-fg')).json<{
      metadata: { finalizers: string[] };
    }>();
    expect(waiting.metadata.finalizers).toEqual(['foregroundDeletion']);
    await raw(t.server, '/api/v1/namespaces/default/secrets/dep-fg', {
      method: 'PATCH',
      body: JSON.stringify({ metadata: { finalizers: null } }),
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    await eventually(async () =>
      expect(await status('/api/v1/namespaces/default/configmaps/owner-fg')).toBe(404),
    );
  });

  it('should reject an unknown propagation policy', async () => {
    await create('configmaps', { metadata: { name: 'owner-bad' } });
    expect(
      (await remove('/api/v1/namespaces/default/configmaps/owner-bad', 'Sideways')).status,
    ).toBe(422);
  });
});
