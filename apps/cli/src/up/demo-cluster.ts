import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLUSTER_LABEL } from '@app/common';
import { AlreadyExistsError, cloudClientFromFlags } from '@app/cloud-client';
import type { InstanceDto } from '@app/cloud-contracts';

/** Marker in the data dir: the demo cluster was created (restarts keep, and never re-create, it). */
export const DEMO_CLUSTER_MARKER = 'demo-cluster';

export interface DemoCluster {
  /** Instances created now (empty on later starts). */
  created: InstanceDto[];
  /**
   * The nodes to wait for: those just created, or on a later start every running instance
   * labelled for the cluster (the user may have stopped, removed or added some).
   */
  nodes: string[];
}

/**
 * On the first start, creates the demo cluster through the cloud API as a user would: `workers`
 * instances `worker-1…N` of `instanceType`, spread round-robin over the zones, labelled
 * `nimbus.dev/cluster=<cluster>` (so a kubelet runs on each) and with a public IP.
 */
export async function ensureDemoCluster(options: {
  dataDir: string;
  cloudUrl: string;
  /** The CA of an HTTPS cloud API (`nimbus up --cloud-tls`). */
  cloudCaFile?: string;
  token: string;
  clusterName: string;
  workers: number;
  instanceType: string;
}): Promise<DemoCluster> {
  const workers = Array.from({ length: options.workers }, (_, i) => `worker-${i + 1}`);
  const marker = join(options.dataDir, DEMO_CLUSTER_MARKER);
  const cloud = cloudClientFromFlags(
    { cloudUrl: options.cloudUrl, cloudToken: options.token, cloudCaFile: options.cloudCaFile },
    { userAgent: 'nimbus-up/dev' },
  );
  if (existsSync(marker)) {
    const nodes: string[] = [];
    for await (const instance of cloud.instances.listAll({
      labelSelector: `${CLUSTER_LABEL}=${options.clusterName}`,
    })) {
      if (instance.state === 'running' || instance.state === 'pending') {
        nodes.push(instance.name);
      }
    }
    return { created: [], nodes: nodes.sort() };
  }
  const zones = (await cloud.catalog.zones()).map((z) => z.name).sort();
  const created: InstanceDto[] = [];
  for (const [i, name] of workers.entries()) {
    try {
      const { instance } = await cloud.instances.create({
        name,
        zone: zones[i % zones.length],
        instanceType: options.instanceType,
        labels: { [CLUSTER_LABEL]: options.clusterName, 'nimbus.dev/role': 'worker' },
        assignPublicIp: true,
      });
      created.push(instance);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) {
        throw err;
      }
    }
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return { created, nodes: created.map((i) => i.name) };
}
