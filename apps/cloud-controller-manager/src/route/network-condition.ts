import {
  errorMessage,
  formatTime,
  sleep,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import { NETWORK_UNAVAILABLE, NO_ROUTE_CREATED, ROUTE_CREATED } from './route-names';
import type { NodeConditionWriter, RouteNode } from './route-types';

/** updateNetworkConditionBackoff: 5 attempts, 100 ms apart plus up to 100 % jitter. */
export const CONDITION_RETRY_STEPS = 5;
export const CONDITION_RETRY_DELAY_MS = 100;

/** client-go's errors.IsConflict for the errors libs/kube-client throws (HTTP status kept). */
export function isConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) {
    return false;
  }
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  return code === 409 || statusCode === 409;
}

/**
 * `updateNetworkingCondition`: sets `NetworkUnavailable` False/RouteCreated or
 * True/NoRouteCreated. Skipped when status and reason already match, so a condition another agent
 * wrote (e.g. False/CalicoIsUp) is overwritten. Like SetNodeCondition, both timestamps are "now":
 * upstream stamps lastTransitionTime on every write it makes.
 */
export class NetworkConditionUpdater {
  constructor(
    private readonly writer: NodeConditionWriter,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
    private readonly random: () => number = Math.random,
  ) {}

  /** Resolves false (after logging) when the write failed. */
  async update(node: RouteNode, routesCreated: boolean): Promise<boolean> {
    const name = node.metadata?.name ?? '';
    const wanted = routesCreated ? ROUTE_CREATED : NO_ROUTE_CREATED;
    const current = node.status?.conditions?.find((c) => c.type === NETWORK_UNAVAILABLE);
    if (current?.status === wanted.status && current.reason === wanted.reason) {
      return true;
    }
    this.logger.info(
      { node: name, routesCreated, previous: current },
      'Patching node status with NetworkUnavailable',
    );
    try {
      await this.retryOnConflict(() => {
        const now = formatTime(this.scheduler.now());
        return this.writer.setNodeCondition(name, {
          type: NETWORK_UNAVAILABLE,
          ...wanted,
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        });
      });
      return true;
    } catch (error) {
      this.logger.error({ node: name, err: errorMessage(error) }, 'Error updating node');
      return false;
    }
  }

  /** client-go's retry.RetryOnConflict: only 409s are retried. */
  private async retryOnConflict(write: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        return;
      } catch (error) {
        if (!isConflict(error) || attempt >= CONDITION_RETRY_STEPS) {
          throw error;
        }
        const delay = CONDITION_RETRY_DELAY_MS * (1 + this.random());
        await sleep(this.scheduler, delay);
      }
    }
  }
}
