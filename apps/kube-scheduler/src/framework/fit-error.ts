import type { NodeInfo } from '../cache/node-info';
import { Code, Status } from './status';

/**
 * framework.NodeToStatus: why each node was rejected, plus one status for the nodes not listed
 * (those a PreFilter result excluded, or preemption did not consider).
 */
export class NodeToStatus {
  private readonly statuses = new Map<string, Status>();

  constructor(public absent: Status = new Status(Code.UnschedulableAndUnresolvable)) {}

  set(node: string, status: Status): void {
    this.statuses.set(node, status);
  }

  get(node: string): Status {
    return this.statuses.get(node) ?? this.absent;
  }

  get size(): number {
    return this.statuses.size;
  }

  explicit(): IterableIterator<[string, Status]> {
    return this.statuses.entries();
  }

  /** NodesForStatusCode: the nodes (of `nodes`) whose status, explicit or absent, has `code`. */
  nodesWithCode(nodes: readonly NodeInfo[], code: Code): NodeInfo[] {
    if (this.absent.code === code) {
      return nodes.filter((n) => this.get(n.name).code === code);
    }
    return nodes.filter((n) => this.statuses.get(n.name)?.code === code);
  }
}

/** framework.Diagnosis. */
export interface Diagnosis {
  nodeToStatus: NodeToStatus;
  /** Plugins that rejected the pod somewhere (which cluster events may help it). */
  unschedulablePlugins: Set<string>;
  preFilterMsg: string;
  postFilterMsg: string;
}

export function newDiagnosis(): Diagnosis {
  return {
    nodeToStatus: new NodeToStatus(),
    unschedulablePlugins: new Set(),
    preFilterMsg: '',
    postFilterMsg: '',
  };
}

/** ErrNoNodesAvailable. */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/**
 * FitError.Error (pkg/scheduler/framework/types.go): `0/<N> nodes are available:` then either the
 * PreFilter message or the histogram of node reasons (`<count> <reason>`, sorted as strings,
 * joined by ", "), each followed by ".", then the PostFilter (preemption) message.
 */
export function fitErrorMessage(numAllNodes: number, diagnosis: Diagnosis): string {
  let message = `0/${numAllNodes} nodes are available:`;
  if (diagnosis.preFilterMsg !== '') {
    message += ` ${diagnosis.preFilterMsg}.`;
  } else {
    const histogram = reasonHistogram(numAllNodes, diagnosis.nodeToStatus);
    if (histogram.length > 0) {
      message += ` ${histogram.join(', ')}.`;
    }
  }
  if (diagnosis.postFilterMsg !== '') {
    message += ` ${diagnosis.postFilterMsg}`;
  }
  return message;
}

function reasonHistogram(numAllNodes: number, statuses: NodeToStatus): string[] {
  const counts = new Map<string, number>();
  for (const [, status] of statuses.explicit()) {
    for (const reason of status.reasons) {
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
    }
  }
  const absentNodes = numAllNodes - statuses.size;
  if (absentNodes > 0) {
    for (const reason of statuses.absent.reasons) {
      counts.set(reason, (counts.get(reason) ?? 0) + absentNodes);
    }
  }
  // Go's sort.Strings: byte order, so "10 x" sorts before "2 x", as upstream.
  return [...counts].map(([reason, n]) => `${n} ${reason}`).sort(compareBytes);
}

function compareBytes(a: string, b: string): number {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}
