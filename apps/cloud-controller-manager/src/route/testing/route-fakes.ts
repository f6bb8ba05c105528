import type { Route, Routes } from '@app/cloud-provider';
import type {
  NodeCondition,
  NodeConditionWriter,
  RouteEventRecorder,
  RouteNode,
} from '../route-types';

/** An in-memory cloud route table with per-call failure hooks and call counting. */
export class FakeRoutes implements Routes {
  readonly table: Route[] = [];
  readonly created: { clusterName: string; nameHint: string; route: Route }[] = [];
  readonly deleted: Route[] = [];
  /** Throw from createRoute for these destinations. */
  readonly failCreate = new Map<string, Error>();
  failDelete?: Error;
  failList?: Error;
  /** When set, createRoute/deleteRoute wait for it (to observe concurrency). */
  gate?: Promise<void>;
  inFlight = 0;
  maxInFlight = 0;

  listRoutes(): Promise<Route[]> {
    if (this.failList) {
      return Promise.reject(this.failList);
    }
    return Promise.resolve(this.table.map((r) => ({ ...r })));
  }

  async createRoute(clusterName: string, nameHint: string, route: Route): Promise<void> {
    await this.enter();
    try {
      this.created.push({ clusterName, nameHint, route });
      const failure = this.failCreate.get(route.destinationCIDR);
      if (failure) {
        throw failure;
      }
      this.table.push({ ...route, name: `${clusterName}-${nameHint}` });
    } finally {
      this.inFlight--;
    }
  }

  async deleteRoute(_clusterName: string, route: Route): Promise<void> {
    await this.enter();
    try {
      this.deleted.push(route);
      if (this.failDelete) {
        throw this.failDelete;
      }
      const index = this.table.findIndex(
        (r) => r.name === route.name && r.destinationCIDR === route.destinationCIDR,
      );
      if (index >= 0) {
        this.table.splice(index, 1);
      }
    } finally {
      this.inFlight--;
    }
  }

  private async enter(): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await this.gate;
  }
}

/** Records condition writes and applies them to the node objects it was given (by name). */
export class FakeConditionWriter implements NodeConditionWriter {
  readonly writes: { node: string; condition: NodeCondition }[] = [];
  /** Errors to throw, one per call, before succeeding. */
  readonly failures: Error[] = [];

  setNodeCondition(node: string, condition: NodeCondition): Promise<void> {
    const failure = this.failures.shift();
    if (failure !== undefined) {
      return Promise.reject(failure);
    }
    this.writes.push({ node, condition });
    return Promise.resolve();
  }
}

export interface RecordedEvent {
  object: { apiVersion?: string; kind?: string; name?: string; uid?: string };
  type: string;
  reason: string;
  message: string;
}

export class FakeRecorder implements RouteEventRecorder {
  readonly events: RecordedEvent[] = [];

  event(object: RecordedEvent['object'], type: string, reason: string, message: string): void {
    this.events.push({ object, type, reason, message });
  }
}

export function node(
  name: string,
  podCIDRs: string[] = [],
  extra: { uid?: string; conditions?: { type: string; status: string; reason?: string }[] } = {},
): RouteNode & { metadata: { name: string } } {
  return {
    metadata: { name, uid: extra.uid ?? `uid-${name}` },
    spec: { podCIDRs },
    status: {
      addresses: [{ type: 'InternalIP', address: `10.0.0.${name.length}` }],
      conditions: extra.conditions ?? [],
    },
  };
}
