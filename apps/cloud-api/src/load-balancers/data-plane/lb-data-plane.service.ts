import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Clock } from '@app/common';
import { CloudApiConfig } from '@app/config';
import { createDataPlane, type DataPlaneHandle, type HealthChange } from '@app/dataplane';
import type { NextFunction, Request, Response } from 'express';
import { MaintenanceTicker } from '../../maintenance.ticker';
import { HttpMetrics } from '../../metrics/http-metrics';
import {
  LoadBalancersRepository,
  type BackendRow,
  type LoadBalancerRow,
} from '../load-balancers.repository';
import { describeDataPlane, SERVED_STATES, type LoadBalancerRuntime } from './lb-data-plane-view';
import { LoadBalancerMetrics, type LoadBalancerSample } from './lb-data-plane.metrics';
import { toVirtualServerSpec } from './lb-virtual-server';

/**
 * Runs the load balancers' data plane (libs/dataplane) from their state in the database: every
 * active (or updating) load balancer has a virtual server with its listeners, backends, algorithm,
 * affinity, source ranges and health check; any other state has none. It follows the database
 * rather than the calls that changed it, so every path (API, clock-settled transitions,
 * out-of-band admin calls, reset, snapshot restore, a restart) ends up in the same place: a sync
 * compares each load balancer's version with what it applied. Syncs run after load-balancer
 * changes, after admin calls, and on every maintenance tick (1 s).
 */
@Injectable()
export class LoadBalancerDataPlane implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('LoadBalancerDataPlane');
  private readonly plane: DataPlaneHandle;
  /** Load balancer id → the revision its virtual server was built from. */
  private readonly applied = new Map<string, string>();
  private readonly applyErrors = new Map<string, string>();
  private syncing?: Promise<void>;
  /** Every load balancer must be compared with the database (ticks, admin calls, settles). */
  private syncAllWanted = false;
  /** Load balancers a call changed: only these are read (a full sync per change was O(LBs)). */
  private dirtyIds = new Set<string>();
  private closed = false;

  constructor(
    private readonly loadBalancers: LoadBalancersRepository,
    private readonly config: CloudApiConfig,
    private readonly ticker: MaintenanceTicker,
    clock: Clock,
    metrics: HttpMetrics,
  ) {
    this.plane = createDataPlane({
      clock,
      onHealthChange: (change) => this.healthChanged(change),
      thread: config.dataPlaneThread,
      onThreadRestart: (error) =>
        this.log.error(`data plane thread restarted, listeners reopened: ${error.message}`),
    });
    new LoadBalancerMetrics(metrics.registry, () => this.samples());
  }

  /** Opens the listeners of every active load balancer in the database (after a restart too). */
  onApplicationBootstrap(): void {
    this.ticker.onTick(() => this.requestSync());
    this.requestSync();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.syncing;
    await this.plane.close();
  }

  /**
   * Something may have changed: sync soon (coalesced; never inside the caller's transaction).
   * With ids, only those load balancers are read; without, every one is compared.
   */
  requestSync(...ids: string[]): void {
    if (this.closed) {
      return;
    }
    if (ids.length === 0) {
      this.syncAllWanted = true;
    }
    for (const id of ids) {
      this.dirtyIds.add(id);
    }
    this.syncing ??= this.runSyncs();
  }

  /** Resolves once every change requested so far is applied (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.syncing) {
      await this.syncing;
    }
  }

  /** Express middleware: admin calls (reset, restore, out-of-band changes) may change any LB. */
  adminMiddleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.once('finish', () => this.requestSync());
      }
      next();
    };
  }

  /** The data plane's side of a load balancer as shown by the API. */
  runtimeOf(row: LoadBalancerRow): LoadBalancerRuntime {
    return describeDataPlane(
      row,
      this.plane.status(row.id),
      this.config.lbBind,
      this.applyErrors.get(row.id),
    );
  }

  private async runSyncs(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while ((this.syncAllWanted || this.dirtyIds.size > 0) && !this.closed) {
        const all = this.syncAllWanted;
        const ids = this.dirtyIds;
        this.syncAllWanted = false;
        this.dirtyIds = new Set();
        await (all ? this.syncAll() : this.syncSome(ids));
      }
    } catch (error) {
      if (!this.closed) {
        this.log.error(`load balancer data plane sync failed: ${(error as Error).message}`);
      }
    } finally {
      this.syncing = undefined;
    }
  }

  private async syncAll(): Promise<void> {
    const wanted = new Map<string, string>();
    for (const r of this.loadBalancers.revisions()) {
      if (SERVED_STATES.has(r.state)) {
        wanted.set(r.id, revisionOf(r));
      }
    }
    for (const id of new Set([...this.plane.ids(), ...this.applied.keys()])) {
      if (!wanted.has(id)) {
        await this.closeListeners(id);
      }
    }
    for (const [id, revision] of wanted) {
      if (this.closed) {
        return;
      }
      if (this.applied.get(id) !== revision) {
        await this.syncOne(id, this.loadBalancers.findById(id));
      }
    }
  }

  private async syncSome(ids: Set<string>): Promise<void> {
    for (const id of ids) {
      if (this.closed) {
        return;
      }
      await this.syncOne(id, this.loadBalancers.findById(id));
    }
  }

  /** Brings one load balancer's virtual server in line with its row (none when not served). */
  private async syncOne(id: string, row: LoadBalancerRow | undefined): Promise<void> {
    if (!row || !SERVED_STATES.has(row.state)) {
      if (this.applied.has(id) || this.plane.has(id)) {
        await this.closeListeners(id);
      }
      return;
    }
    const revision = revisionOf(row);
    if (this.applied.get(id) === revision) {
      return;
    }
    this.applied.set(id, revision);
    await this.apply(row, this.loadBalancers.backends(id));
  }

  private async closeListeners(id: string): Promise<void> {
    this.applied.delete(id);
    this.applyErrors.delete(id);
    await this.plane.remove(id);
    this.log.log(`load balancer ${id}: listeners closed`);
  }

  private async apply(row: LoadBalancerRow, backends: BackendRow[]): Promise<void> {
    try {
      const status = await this.plane.apply(
        row.id,
        toVirtualServerSpec(row, backends, this.config.lbBind),
      );
      this.applyErrors.delete(row.id);
      for (const l of status.listeners) {
        if (l.state === 'failed') {
          this.log.warn(
            `load balancer ${row.id} (${row.name}): listener ${l.name} failed: ${l.message}`,
          );
        } else if (l.message) {
          this.log.log(`load balancer ${row.id} (${row.name}): listener ${l.name}: ${l.message}`);
        }
      }
    } catch (error) {
      this.applyErrors.set(row.id, (error as Error).message);
      this.log.error(
        `load balancer ${row.id}: data plane refused its configuration: ${(error as Error).message}`,
      );
    }
  }

  private healthChanged(change: HealthChange): void {
    this.log.log(
      `load balancer ${change.virtualServer}: backend ${change.backend} ${change.previous} → ${change.health}${
        change.detail ? ` (${change.detail})` : ''
      }`,
    );
  }

  private samples(): Promise<LoadBalancerSample[]> {
    return this.plane.snapshot();
  }
}

/** What a virtual server was built from: any change to the row bumps its version. */
function revisionOf(row: Pick<LoadBalancerRow, 'version' | 'updatedAt'>): string {
  return `${row.version}:${row.updatedAt}`;
}
