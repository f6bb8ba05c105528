import { hasAllLabelKeys, type Selector } from '../api/labels';
import type { NodeInfo } from './node-info';
import type { SchedulerCache } from './scheduler-cache';

/** One topology domain: its nodes and the pods on them that match the selector. */
export interface DomainCount {
  nodes: number;
  pods: number;
}

interface Contribution {
  value: string;
  pods: number;
}

interface Entry {
  /** The cache's change sequence these counts are current at. */
  seq: number;
  byNode: Map<string, Contribution>;
  domains: Map<string, DomainCount>;
}

/** Distinct (namespace, selector, topology) questions kept; the least recently asked goes first. */
const MAX_ENTRIES = 64;

/**
 * Matching pods per topology domain, over every node of the scheduler cache, kept current from the
 * cache's change log instead of walking all nodes for every pod. PodTopologySpread's PreFilter and
 * PreScore ask this for each pod of a Deployment (the system default constraints); upstream walks
 * every node on 16 goroutines, which one JavaScript thread cannot afford at 1,000 nodes.
 */
export class DomainCounts {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly cache: SchedulerCache) {}

  /**
   * Per value of `topologyKey` (nodes without it count under ''), the nodes and the pods in
   * `namespace` matching `selector`, over the cache's nodes that carry every one of `requiredKeys`.
   */
  domains(
    namespace: string,
    selector: Selector,
    topologyKey: string,
    requiredKeys: readonly string[],
  ): ReadonlyMap<string, DomainCount> {
    const key = [namespace, selector.key, topologyKey, ...requiredKeys].join('\u0000');
    const question = { namespace, selector, topologyKey, requiredKeys };
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key); // re-inserted below: most recently asked last
      const changed = this.cache.changedNodesSince(entry.seq);
      if (changed && changed.length <= this.cache.numNodes) {
        for (const name of new Set(changed)) {
          this.recount(entry, name, this.cache.nodeInfo(name), question);
        }
      } else {
        entry = undefined;
      }
    }
    if (!entry) {
      entry = { seq: 0, byNode: new Map(), domains: new Map() };
      for (const node of this.cache.nodeList()) {
        this.recount(entry, node.name, node, question);
      }
    }
    entry.seq = this.cache.changeSeq;
    this.entries.set(key, entry);
    if (this.entries.size > MAX_ENTRIES) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    return entry.domains;
  }

  private recount(
    entry: Entry,
    name: string,
    node: NodeInfo | undefined,
    q: {
      namespace: string;
      selector: Selector;
      topologyKey: string;
      requiredKeys: readonly string[];
    },
  ): void {
    const before = entry.byNode.get(name);
    if (before) {
      entry.byNode.delete(name);
      add(entry.domains, before, -1);
    }
    const labels = node?.labels;
    if (!node || !hasAllLabelKeys(labels, q.requiredKeys)) {
      return;
    }
    const now = {
      value: labels?.[q.topologyKey] ?? '',
      pods: node.countMatching(q.selector, q.namespace),
    };
    entry.byNode.set(name, now);
    add(entry.domains, now, 1);
  }
}

function add(domains: Map<string, DomainCount>, c: Contribution, sign: 1 | -1): void {
  const d = domains.get(c.value) ?? { nodes: 0, pods: 0 };
  d.nodes += sign;
  d.pods += sign * c.pods;
  if (d.nodes === 0) {
    domains.delete(c.value);
  } else {
    domains.set(c.value, d);
  }
}
