import {
  BucketRateLimiter,
  errorMessage,
  RateLimitingQueue,
  type Informer,
  type Logger,
  type Scheduler,
  type TimerHandle,
} from '@app/controller-runtime';
import { equalNodeAddresses, podCidrsOf } from './route-plan';
import type { RouteNode } from './route-types';

/** The single work item of the watch-based mode. */
export const ROUTES_KEY = 'routes';
/** minRouteResyncInterval: at most one pass per 10 s, and never a longer wait than that. */
export const MIN_ROUTE_RESYNC_INTERVAL_MS = 10_000;
/** `--min-resync-period` (12 h): the safety-net pass comes every [12 h, 24 h), chosen at start. */
export const MIN_RESYNC_PERIOD_MS = 12 * 3_600_000;

/** Does this node update change what the route controller would do? */
export function routeRelevantChange(oldNode: RouteNode, newNode: RouteNode): boolean {
  if (oldNode === newNode) {
    return true; // an informer resync: upstream reconciles on those too
  }
  const oldCidrs = podCidrsOf(oldNode);
  const newCidrs = podCidrsOf(newNode);
  return (
    oldCidrs.length !== newCidrs.length ||
    oldCidrs.some((cidr, i) => cidr !== newCidrs[i]) ||
    !equalNodeAddresses(oldNode.status?.addresses ?? [], newNode.status?.addresses ?? [])
  );
}

/**
 * The watch-based mode of feature gate `CloudControllerManagerWatchBasedRoutesReconciliation`
 * (KEP-5237, alpha, off by default): node add/delete, podCIDRs or addresses changes and informer
 * resyncs (and a pass every 12–24 h) queue one key; a token bucket of one per 10 s spaces the passes; one worker; the key is
 * forgotten before the pass so an event arriving during it queues the next one.
 */
export class NodeChangeTrigger {
  private readonly queue: RateLimitingQueue<string>;
  private worker?: Promise<void>;
  private resync?: TimerHandle;

  constructor(
    private readonly informer: Informer<RouteNode>,
    private readonly pass: () => Promise<void>,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
    private readonly resyncPeriodMs = MIN_RESYNC_PERIOD_MS * (1 + Math.random()),
  ) {
    this.queue = new RateLimitingQueue<string>({
      scheduler,
      rateLimiter: new BucketRateLimiter(1000 / MIN_ROUTE_RESYNC_INTERVAL_MS, 1, scheduler),
    });
  }

  /** Registers the handlers and starts the worker (the informer replays its cache as adds). */
  start(): void {
    this.informer.addEventHandler({
      onAdd: () => this.enqueue(),
      onUpdate: (oldNode, newNode) => {
        if (routeRelevantChange(oldNode, newNode)) {
          this.enqueue();
        }
      },
      onDelete: () => this.enqueue(),
    });
    this.worker = this.work();
    this.scheduleResync();
  }

  async stop(): Promise<void> {
    this.resync?.cancel();
    this.queue.shutDown();
    await this.worker;
  }

  /** Upstream gets this from the informer's resync; here it does not depend on the informer. */
  private scheduleResync(): void {
    this.resync = this.scheduler.setTimer(() => {
      this.enqueue();
      this.scheduleResync();
    }, this.resyncPeriodMs);
  }

  private enqueue(): void {
    const delay = Math.min(this.queue.rateLimiter.when(ROUTES_KEY), MIN_ROUTE_RESYNC_INTERVAL_MS);
    this.queue.addAfter(ROUTES_KEY, delay);
  }

  private async work(): Promise<void> {
    for (;;) {
      const next = await this.queue.get();
      if (next.shutdown) {
        return;
      }
      this.queue.forget(next.item);
      try {
        await this.pass();
      } catch (error) {
        this.logger.error({ err: errorMessage(error) }, "Couldn't reconcile node routes");
        this.enqueue();
      } finally {
        this.queue.done(next.item);
      }
    }
  }
}
