import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NimbusCloudClient } from '@app/cloud-client';
import type { InstanceDto } from '@app/cloud-contracts';
import { CLUSTER_LABEL } from '@app/common';
import { NimbusUpConfig, validateConfig } from '@app/config';
import {
  KubeRest,
  loadKubeConfig,
  type JobObject,
  type LeaseObject,
  type NodeObject,
  type PodObject,
} from '@app/kube-client';
import { waitFor } from '../../../cloud-controller-manager/test/harness';
import {
  kubectlFor,
  requireKubectl,
  type Kubectl,
} from '../../../kube-apiserver/test/support/test-server';
import { ensureDemoCluster } from '../../src/up/demo-cluster';
import { embeddedUpFlags, startNimbusUp, type RunningNimbus } from '../../src/up/start-nimbus-up';
import { nodeIsUp } from '../../src/up/wait-for-nodes';

export { waitFor, holdsFor } from '../../../cloud-controller-manager/test/harness';

const TOKEN = 'cluster-test-project-token-0123456789';
const ADMIN_TOKEN = 'cluster-test-admin-token-0123456789';
/** How far one clock step may jump: well inside the 50 s grace, so healthy nodes never look dead. */
const CLOCK_STEP_MS = 20_000;
/** How long the demo workers may take to be Ready at start (setup, not a timing check). */
const START_TIMEOUT_MS = 120_000;

export interface ClusterOptions {
  /** Demo workers `worker-1…N` created at start (default 3, one per zone). */
  workers?: number;
  /** `nimbus up` options (raw flag values), e.g. `{ clusterCidr: '10.244.0.0/24' }`. */
  up?: Record<string, unknown>;
}

/**
 * One `nimbus up` stack in-process for the cluster scenarios (cluster-simulation.md §8): cloud,
 * api-server, kube-scheduler, controller managers, simulated kubelets and kube-proxies on ephemeral ports and a
 * temp data dir. Tests act through kubectl and the cloud API only; time-based rules are driven
 * with the cloud's admin clock (`advanceClock`), never by sleeping.
 */
export class ClusterHarness {
  readonly kubectl: Kubectl;
  readonly cloud: NimbusCloudClient;
  private readonly rest: KubeRest;

  private constructor(
    readonly nimbus: RunningNimbus,
    private readonly dir: string,
  ) {
    this.kubectl = kubectlFor(nimbus.kubeconfigPath, join(dir, 'kubectl-cache'));
    this.cloud = new NimbusCloudClient({ baseUrl: nimbus.cloud.url, token: TOKEN });
    this.rest = new KubeRest(loadKubeConfig(nimbus.kubeconfigPath));
  }

  static async start(options: ClusterOptions = {}): Promise<ClusterHarness> {
    requireKubectl();
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-cluster-'));
    const config = validateConfig(NimbusUpConfig, {
      ...embeddedUpFlags(join(dir, 'data'), TOKEN, ADMIN_TOKEN),
      // A load-balancer pool of its own, so its LB addresses (127.203.X.…:80) do not meet another
      // stack's on this machine (not 113: the default pool of the cloud-only tests).
      lbIpv4Pool: `203.0.${1 + Math.floor(Math.random() * 112)}.0/24`,
      ...options.up,
    });
    const nimbus = await startNimbusUp(config).catch((error: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    });
    const h = new ClusterHarness(nimbus, dir);
    try {
      const workers = options.workers ?? 3;
      if (workers > 0) {
        await ensureDemoCluster({
          dataDir: dir,
          cloudUrl: nimbus.cloud.url,
          token: TOKEN,
          clusterName: config.clusterName,
          workers,
          instanceType: 'nb.xlarge',
        });
        for (let i = 1; i <= workers; i++) {
          // Generous: on a fresh clone the first stack of a run also compiles every app it loads.
          await h.waitForNode(`worker-${i}`, nodeIsUp, 'Ready and initialised', START_TIMEOUT_MS);
        }
      }
      return h;
    } catch (error) {
      // The caller never gets the harness, so its afterAll cannot close it: a half-started stack
      // would keep Jest from exiting.
      await h.close().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.nimbus.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  // --- kubectl -----------------------------------------------------------------------------

  /** Runs kubectl; resolves stdout, rejects with its stderr on a non-zero exit. */
  async k(args: string[], input?: string): Promise<string> {
    const r = await this.kubectl(args, { input });
    if (r.code !== 0) {
      throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    }
    return r.stdout;
  }

  async kJson<T>(args: string[]): Promise<T> {
    return JSON.parse(await this.k([...args, '-o', 'json'])) as T;
  }

  /** `kubectl apply -f -` of one manifest (YAML or JSON text). */
  apply(manifest: string): Promise<string> {
    return this.k(['apply', '-f', '-'], manifest);
  }

  node(name: string): Promise<NodeObject> {
    return this.kJson<NodeObject>(['get', 'node', name]);
  }

  job(name: string): Promise<JobObject> {
    return this.kJson<JobObject>(['get', 'job', name]);
  }

  /** The Job read straight from the API: no kubectl process, so short-lived states can be sampled. */
  apiJob(name: string, namespace = 'default'): Promise<JobObject> {
    return this.rest.get<JobObject>(
      `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs/${encodeURIComponent(name)}`,
    );
  }

  /** The pods of a Job (its `job-name` label). */
  async jobPods(name: string): Promise<PodObject[]> {
    return (await this.kJson<{ items: PodObject[] }>(['get', 'pods', '-l', `job-name=${name}`]))
      .items;
  }

  /** Waits until the Job has condition `type` True; resolves the Job then. */
  waitForJobCondition(name: string, type: string): Promise<JobObject> {
    return waitFor(
      async () => {
        const j = await this.job(name);
        return condition(j, type)?.status === 'True' ? j : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, message: `job ${name} ${type}` },
    );
  }

  pod(name: string, namespace = 'default'): Promise<PodObject> {
    return this.kJson<PodObject>(['get', 'pod', name, '-n', namespace]);
  }

  /** Events about an object, oldest first (`kubectl get events --field-selector`). */
  async events(
    name: string,
    options: { namespace?: string; reason?: string; kind?: string } = {},
  ): Promise<
    {
      reason: string;
      message: string;
      type: string;
      count?: number;
      source?: { component?: string };
      involvedObject: { fieldPath?: string };
    }[]
  > {
    const selector = [`involvedObject.name=${name}`];
    if (options.reason) {
      selector.push(`reason=${options.reason}`);
    }
    if (options.kind) {
      selector.push(`involvedObject.kind=${options.kind}`);
    }
    const list = await this.kJson<{ items: never[] }>([
      'get',
      'events',
      '-n',
      options.namespace ?? 'default',
      '--field-selector',
      selector.join(','),
    ]);
    return list.items;
  }

  /**
   * A pod for `node`: the kube-scheduler places it there through the `kubernetes.io/hostname`
   * node selector (as users pin pods), or with `bypassScheduler` the pod names the node itself
   * (`spec.nodeName`, for kubelet admission tests); without a node the scheduler picks one.
   */
  podManifest(
    name: string,
    node: string | undefined,
    extra: {
      annotations?: Record<string, string>;
      spec?: Record<string, unknown>;
      container?: Record<string, unknown>;
      bypassScheduler?: boolean;
    } = {},
  ): string {
    const placement =
      node === undefined
        ? {}
        : extra.bypassScheduler
          ? { nodeName: node }
          : { nodeSelector: { 'kubernetes.io/hostname': node } };
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, annotations: extra.annotations ?? {} },
      spec: {
        ...placement,
        containers: [{ name: 'app', image: 'nginx:1.27', ...extra.container }],
        ...extra.spec,
      },
    });
  }

  // --- cloud -------------------------------------------------------------------------------

  async instance(name: string): Promise<InstanceDto> {
    const [found] = (await this.cloud.instances.findByName(name)).filter(
      (i) => i.state !== 'terminated',
    );
    if (!found) {
      throw new Error(`no instance ${name}`);
    }
    return found;
  }

  /** A new instance of the cluster (it joins as a node). */
  async addWorker(name: string, zone = 'nimbus-1a'): Promise<InstanceDto> {
    const { instance } = await this.cloud.instances.create({
      name,
      zone,
      instanceType: 'nb.xlarge',
      labels: { [CLUSTER_LABEL]: 'kubernetes' },
    });
    return instance;
  }

  async stopInstance(name: string): Promise<void> {
    await this.cloud.instances.stop((await this.instance(name)).id);
  }

  async startInstance(name: string): Promise<void> {
    await this.cloud.instances.start((await this.instance(name)).id);
  }

  async terminateInstance(name: string): Promise<void> {
    await this.cloud.instances.terminate((await this.instance(name)).id);
  }

  /** A call of the cloud's admin API (`/admin/faults`, `/admin/audit`…), as JSON. */
  async cloudAdmin<T>(method: string, path: string, body?: object): Promise<T> {
    const res = await fetch(`${this.nimbus.cloud.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) {
      throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    }
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  // --- the cloud's clock -------------------------------------------------------------------

  async clockNow(): Promise<number> {
    const res = await fetch(`${this.nimbus.cloud.url}/admin/clock`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    return Date.parse(((await res.json()) as { now: string }).now);
  }

  /**
   * Moves the cloud's clock forward by `ms`, in steps that healthy nodes survive (see
   * advanceClusterClock).
   */
  advanceClock(ms: number): Promise<void> {
    return advanceClusterClock(
      {
        cloudUrl: this.nimbus.cloud.url,
        adminToken: ADMIN_TOKEN,
        cloud: this.cloud,
        rest: this.rest,
      },
      ms,
    );
  }

  // --- waiting -----------------------------------------------------------------------------

  waitForNode(
    name: string,
    test: (node: NodeObject) => boolean,
    message: string,
    timeoutMs = 30_000,
  ): Promise<NodeObject> {
    let lastSeen: unknown = 'no answer yet';
    return waitFor(
      async () => {
        const node = await this.rest
          .get<NodeObject>(`/api/v1/nodes/${name}`)
          .catch(() => undefined);
        if (node && test(node)) {
          return node;
        }
        // What the timeout message shows: the node's taints and conditions, or that it is absent.
        lastSeen = node
          ? {
              taints: node.spec?.taints?.map((t) => t.key),
              conditions: node.status?.conditions?.map((c) => `${c.type}=${c.status}`),
            }
          : 'no such node';
        return undefined;
      },
      {
        timeoutMs,
        intervalMs: 100,
        message: `node ${name}: ${message}`,
        describeLast: () => JSON.stringify(lastSeen),
      },
    );
  }

  waitForPod(
    name: string,
    test: (pod: PodObject) => boolean,
    message: string,
    timeoutMs = 30_000,
    namespace = 'default',
  ): Promise<PodObject> {
    return waitFor(
      async () => {
        const pod = await this.rest
          .get<PodObject>(`/api/v1/namespaces/${namespace}/pods/${name}`)
          .catch(() => undefined);
        return pod && test(pod) ? pod : undefined;
      },
      { timeoutMs, intervalMs: 100, message: `pod ${name}: ${message}` },
    );
  }

  /**
   * Runs `kubectl get pod <name> -w --output-watch-events -o json` (started once the ADDED
   * event is in), then `body`, then waits for DELETED and returns every watch event seen.
   */
  async watchPodUntilDeleted(
    name: string,
    body: () => Promise<void>,
  ): Promise<{ type: string; pod: PodObject }[]> {
    const watch = this.kubectl.spawn([
      'get',
      'pod',
      name,
      '-w',
      '--output-watch-events',
      '-o',
      'json',
    ]);
    try {
      await waitFor(() => watch.output().includes('"ADDED"'), { message: 'watch started' });
      await body();
      // The whole DELETED document, not its first line: kubectl writes it line by line.
      await waitFor(
        () =>
          jsonStream<{ type: string }>(watch.output()).some((event) => event.type === 'DELETED'),
        { message: 'DELETED seen' },
      );
    } finally {
      watch.process.kill();
    }
    return jsonStream<{ type: string; object: PodObject }>(watch.output()).map((e) => ({
      type: e.type,
      pod: e.object,
    }));
  }

  /** Resolves once the pod is gone from the API. */
  waitForPodGone(name: string, timeoutMs = 30_000, namespace = 'default'): Promise<true> {
    return waitFor(
      async () => {
        try {
          await this.rest.get(`/api/v1/namespaces/${namespace}/pods/${name}`);
          return false;
        } catch {
          return true as const;
        }
      },
      { timeoutMs, intervalMs: 100, message: `pod ${name} deleted` },
    );
  }
}

export const isRunningAndReady = (pod: PodObject) =>
  pod.status?.phase === 'Running' &&
  (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export const condition = (
  obj: {
    status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
  },
  type: string,
) => obj.status?.conditions?.find((c) => c.type === type);

export const hasTaint = (node: NodeObject, key: string, effect?: string) =>
  (node.spec?.taints ?? []).some((t) => t.key === key && (!effect || t.effect === effect));

/** The JSON documents a streaming `kubectl … -w -o json` printed so far (complete ones only). */
export function jsonStream<T>(output: string): T[] {
  const docs: T[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < output.length; i++) {
    const ch = output[i];
    if (inString) {
      if (ch === '\\') {
        i++;
      } else if (ch === '"') {
        inString = false;
      }
      continue;
    }
    if (ch === '"') {
      inString = true;
    } else if (ch === '{') {
      if (depth++ === 0) {
        start = i;
      }
    } else if (ch === '}' && --depth === 0) {
      docs.push(JSON.parse(output.slice(start, i + 1)) as T);
    }
  }
  return docs;
}

/**
 * Moves the cloud's clock (`POST /admin/clock`) forward by `ms` in steps of at most 20 s; after
 * each step it waits until every node whose instance runs renewed its Lease (as a healthy node
 * does within its 10 s interval), so only nodes whose machine is down age past the 50 s grace.
 */
export async function advanceClusterClock(
  target: { cloudUrl: string; adminToken: string; cloud: NimbusCloudClient; rest: KubeRest },
  ms: number,
  clusterName = 'kubernetes',
): Promise<void> {
  for (let left = ms; left > 0; left -= CLOCK_STEP_MS) {
    const step = Math.min(CLOCK_STEP_MS, left);
    const res = await fetch(`${target.cloudUrl}/admin/clock`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${target.adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ advance: step }),
    });
    if (!res.ok) {
      throw new Error(`POST /admin/clock answered ${res.status}: ${await res.text()}`);
    }
    const now = Date.parse(((await res.json()) as { now: string }).now);
    // The machines that are up (the cloud knows at once; the kubelets follow its stream).
    const alive: string[] = [];
    for await (const i of target.cloud.instances.listAll({ state: 'running' })) {
      if (i.labels[CLUSTER_LABEL] === clusterName) {
        alive.push(i.hostname.toLowerCase());
      }
    }
    await waitFor(
      async () => {
        const leases = await target.rest.get<{ items: LeaseObject[] }>(
          '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
        );
        return alive.every((name) => {
          const lease = leases.items.find((l) => l.metadata?.name === name);
          return lease?.spec?.renewTime && Date.parse(lease.spec.renewTime) >= now - 1000;
        });
      },
      {
        timeoutMs: 20_000,
        message: `leases renewed after advancing the clock to ${new Date(now).toISOString()}`,
      },
    );
  }
}
