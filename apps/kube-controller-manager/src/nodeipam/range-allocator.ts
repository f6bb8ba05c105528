import {
  errorMessage,
  isDeletedFinalStateUnknown,
  waitForCacheSync,
  type EventRecorder,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import { isNotFound, type InformerAdapter, type KubeRest, type NodeObject } from '@app/kube-client';
import { ConfigError } from '@app/config';
import { recordNodeStatusChange } from '../util/node-events';
import { nodePath } from '../util/node-writes';
import { CidrSet, parseCidr } from './cidr-set';

/** upstream cidrUpdateRetries. */
const CIDR_UPDATE_RETRIES = 3;
const DEFAULT_MASK = { IPv4: 24, IPv6: 64 };

export interface RangeAllocatorSettings {
  clusterCidr: string;
  serviceClusterIpRange: string;
  nodeCidrMaskSize: number;
  nodeCidrMaskSizeIpv4: number;
  nodeCidrMaskSizeIpv6: number;
}

/**
 * upstream startNodeIpamController's flag checks + NewCIDRRangeAllocator's sets: one CidrSet per
 * `--cluster-cidr` entry (two only for dual-stack) with its node mask size, the service range
 * taken out where it overlaps. Bad flags are a ConfigError (upstream fails to start).
 */
export function buildCidrSets(settings: RangeAllocatorSettings): CidrSet[] {
  const texts = settings.clusterCidr
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (texts.length === 0) {
    throw new ConfigError('--cluster-cidr is required with --allocate-node-cidrs=true');
  }
  if (texts.length > 2) {
    throw new ConfigError(
      `--cluster-cidr: at most 2 CIDRs (one per family), got "${settings.clusterCidr}"`,
    );
  }
  const parsed = texts.map((text) => {
    try {
      return { text, cidr: parseCidr(text) };
    } catch {
      throw new ConfigError(`--cluster-cidr: "${text}" is not a valid CIDR`);
    }
  });
  const dualStack = parsed.length === 2;
  if (dualStack && parsed[0].cidr.family === parsed[1].cidr.family) {
    throw new ConfigError(`--cluster-cidr: two CIDRs must be one IPv4 and one IPv6`);
  }
  if (dualStack && settings.nodeCidrMaskSize !== 0) {
    throw new ConfigError('usage of --node-cidr-mask-size is not allowed with dual-stack clusters');
  }
  const sets = parsed.map(({ text, cidr }) => {
    const familyMask =
      cidr.family === 'IPv4' ? settings.nodeCidrMaskSizeIpv4 : settings.nodeCidrMaskSizeIpv6;
    const mask = settings.nodeCidrMaskSize || familyMask || DEFAULT_MASK[cidr.family];
    try {
      return new CidrSet(text, mask);
    } catch (error) {
      throw new ConfigError(`--node-cidr-mask-size: ${(error as Error).message}`);
    }
  });
  for (const service of settings.serviceClusterIpRange
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    for (const set of sets) {
      try {
        if (set.overlaps(service)) {
          set.occupy(service);
        }
      } catch {
        // a service range of the other family
      }
    }
  }
  return sets;
}

export interface RangeAllocatorDeps {
  rest: KubeRest;
  nodes: InformerAdapter<NodeObject>;
  cidrSets: CidrSet[];
  recorder: EventRecorder;
  scheduler: Scheduler;
  logger: Logger;
}

/**
 * upstream ipam.rangeAllocator (`node-ipam-controller` with `--cidr-allocator-type=RangeAllocator`):
 * existing nodes' pod CIDRs are occupied at start; a node without `spec.podCIDRs` gets the next
 * free block of each cluster CIDR, written as `spec.podCIDR` + `spec.podCIDRs` (3 tries); a
 * deleted node's blocks are released. Exhaustion records `CIDRNotAvailable` (from
 * `cidrAllocator`), a failed write `CIDRAssignmentFailed`.
 */
export class RangeAllocator {
  private readonly inProcessing = new Set<string>();
  private readonly stopSignal = new AbortController();
  private running = false;
  private readonly writes = new Set<Promise<void>>();

  constructor(private readonly deps: RangeAllocatorDeps) {
    deps.nodes.addEventHandler({
      onAdd: (node) => this.running && this.allocateOrOccupy(node),
      onUpdate: (_old, node) =>
        this.running && !(node.spec?.podCIDRs?.length ?? 0) && this.allocateOrOccupy(node),
      onDelete: (node) => this.release(isDeletedFinalStateUnknown(node) ? node.obj : node),
    });
  }

  async start(): Promise<void> {
    const synced = await waitForCacheSync(
      'cidrallocator',
      [this.deps.nodes],
      this.deps.scheduler,
      this.deps.logger,
      this.stopSignal.signal,
    );
    if (!synced) {
      return;
    }
    const nodes = this.deps.nodes.list();
    for (const node of nodes) {
      if (node.spec?.podCIDRs?.length) {
        this.occupy(node);
      }
    }
    this.running = true;
    for (const node of nodes) {
      if (!node.spec?.podCIDRs?.length) {
        this.allocateOrOccupy(node);
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopSignal.abort();
    await Promise.all([...this.writes]);
  }

  private occupy(node: NodeObject): void {
    (node.spec?.podCIDRs ?? []).forEach((cidr, i) => {
      try {
        this.deps.cidrSets[i]?.occupy(cidr);
      } catch (err) {
        this.deps.logger.error(
          { node: node.metadata?.name, cidr, err: errorMessage(err) },
          'failed to mark cidr as occupied',
        );
      }
    });
  }

  /** upstream AllocateOrOccupyCIDR. */
  private allocateOrOccupy(node: NodeObject): void {
    const name = node.metadata?.name ?? '';
    if (this.inProcessing.has(name)) {
      return;
    }
    if (node.spec?.podCIDRs?.length) {
      this.occupy(node);
      return;
    }
    const allocated: string[] = [];
    for (const set of this.deps.cidrSets) {
      try {
        allocated.push(set.allocateNext());
      } catch {
        allocated.forEach((cidr, i) => this.deps.cidrSets[i].release(cidr));
        recordNodeStatusChange(this.deps.recorder, node, 'CIDRNotAvailable');
        return;
      }
    }
    this.inProcessing.add(name);
    const write = this.updateCidrsAllocation(name, allocated).finally(() => {
      this.inProcessing.delete(name);
      this.writes.delete(write);
    });
    this.writes.add(write);
  }

  /** upstream updateCIDRsAllocation. */
  private async updateCidrsAllocation(name: string, cidrs: string[]): Promise<void> {
    const node = this.deps.nodes.get(name);
    if (!node) {
      cidrs.forEach((cidr, i) => this.deps.cidrSets[i].release(cidr));
      return;
    }
    const current = node.spec?.podCIDRs ?? [];
    if (current.length === cidrs.length && current.every((c, i) => c === cidrs[i])) {
      return;
    }
    if (current.length > 0) {
      cidrs.forEach((cidr, i) => this.deps.cidrSets[i].release(cidr));
      return;
    }
    let lastError: unknown;
    for (let i = 0; i < CIDR_UPDATE_RETRIES; i++) {
      try {
        await this.deps.rest.patch(
          nodePath(name),
          { spec: { podCIDR: cidrs[0], podCIDRs: cidrs } },
          'strategic',
        );
        this.deps.logger.info({ node: name, cidr: cidrs }, 'Set Node PodCIDR');
        return;
      } catch (err) {
        lastError = err;
        if (isNotFound(err)) {
          break;
        }
      }
    }
    this.deps.logger.error(
      { node: name, cidr: cidrs, err: errorMessage(lastError) },
      'Failed to update Node PodCIDR after multiple attempts',
    );
    recordNodeStatusChange(this.deps.recorder, node, 'CIDRAssignmentFailed');
    cidrs.forEach((cidr, i) => this.deps.cidrSets[i].release(cidr));
  }

  /** upstream ReleaseCIDR. */
  private release(node: NodeObject): void {
    (node.spec?.podCIDRs ?? []).forEach((cidr, i) => {
      try {
        this.deps.cidrSets[i]?.release(cidr);
      } catch (err) {
        this.deps.logger.error(
          { node: node.metadata?.name, cidr, err: errorMessage(err) },
          'error when releasing CIDR',
        );
      }
    });
  }
}
