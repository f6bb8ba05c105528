import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdjustableClock } from '@app/common';
import type { ResourceService } from '../api/resource-service';
import { currentUser, runAsUser } from '../auth/request-user';
import { openKubeDatabase, type KubeDatabase } from '../database/open-kube-database';
import type { KubeObject } from '../object/types';
import type { ResourceRegistry } from '../registry/registry';
import type { ResourceType } from '../registry/resource-type';
import { ObjectStore } from '../storage/object-store';
import { GarbageCollector } from './garbage-collector';

const CONFIG_MAPS = { group: '', resource: 'configmaps', kind: 'ConfigMap' } as ResourceType;
const KUBELET = { name: 'system:node:worker-1', uid: '', groups: ['system:nodes'] };

/** Until `check` holds, letting the collector's turns and retry timers run. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('GarbageCollector', () => {
  let dir: string;
  let database: KubeDatabase;
  let store: ObjectStore;
  let collector: GarbageCollector | undefined;
  /** Who each delete the collector asked for ran as, and how many to refuse first. */
  let deletes: { name: string; user: string | undefined }[];
  let refuse: number;

  const configMap = (name: string, owner?: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      ...(owner && {
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: owner, uid: `uid-${owner}` },
        ],
      }),
    },
  });
  const write = (type: 'ADDED' | 'DELETED', object: KubeObject) =>
    store.write({ group: '', resource: 'configmaps', type, object });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nimbus-gc-'));
    database = await openKubeDatabase(dir);
    store = new ObjectStore(database.db.connection, new AdjustableClock());
    store.load();
    deletes = [];
    refuse = 0;
    const registry = {
      storageKinds: () => [CONFIG_MAPS],
      onChange: () => () => undefined,
    } as unknown as ResourceRegistry;
    const service = {
      delete: (_kind: ResourceType, _ns: string, name: string) => {
        deletes.push({ name, user: currentUser()?.name });
        if (refuse > 0) {
          refuse -= 1;
          throw new Error('the server is currently unable to handle the request');
        }
        write('DELETED', store.get('/configmaps', 'default', name)!.object);
      },
    } as unknown as ResourceService;
    collector = new GarbageCollector(store, registry, service, () => undefined);
  });

  afterEach(async () => {
    collector?.stop();
    await database.dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deletes a dependent as the api-server even when a user’s request removed the owner', async () => {
    write('ADDED', configMap('owner'));
    write('ADDED', configMap('dependent', 'owner'));
    // The kubelet's DELETE of its pod is such a request: NodeRestriction would refuse it the claim.
    runAsUser(KUBELET, () => write('DELETED', configMap('owner')));
    await until(() => deletes.length > 0);
    expect(deletes).toEqual([{ name: 'dependent', user: undefined }]);
  });

  it('retries a collection that failed instead of dropping it', async () => {
    write('ADDED', configMap('owner'));
    write('ADDED', configMap('dependent', 'owner'));
    refuse = 2;
    write('DELETED', configMap('owner'));
    await until(() => store.get('/configmaps', 'default', 'dependent') === undefined);
    expect(deletes.map((d) => d.name)).toEqual(['dependent', 'dependent', 'dependent']);
    expect(store.get('/configmaps', 'default', 'dependent')).toBeUndefined();
  });
});
