import type { Registry } from 'prom-client';
import { formatGoDuration } from '@app/common';
import type { DeletedFinalStateUnknown, HasSynced, Informer, KubeObject } from './informer';
import { deletionHandlingMetaNamespaceKey } from './keys';
import { errorMessage, noopLogger, type Logger } from './logger';
import { Periodic, type PeriodicOptions } from './periodic';
import type { RateLimiter } from './rate-limiters';
import { retryAfterOf, type Reconciler } from './reconcile';
import { sleep, type Scheduler } from './scheduler';
import { waitForCacheSync } from './wait';
import { RateLimitingQueue } from './workqueue/rate-limiting-queue';

/** Default bound on a graceful stop. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

export interface ControllerOptions {
  /** For logs, e.g. "service-lb-controller". */
  name: string;
  reconcile: Reconciler;
  scheduler: Scheduler;
  /** Concurrent reconciles of distinct keys (the `--concurrent-*-syncs` flags); default 1. */
  workers?: number;
  /** The workqueue metrics `name` label (upstream: "Nodes", "service", "node"); default `name`. */
  queueName?: string;
  registry?: Registry;
  /** Default: client-go's DefaultControllerRateLimiter. */
  rateLimiter?: RateLimiter<string>;
  logger?: Logger;
  /** Caches to wait for besides the watched informers (e.g. a lister-only informer). */
  waitFor?: readonly HasSynced[];
  /** Loops started once the caches have synced and stopped with the controller. */
  periodics?: readonly PeriodicOptions[];
  /** How an error asks for a fixed retry delay; default `retryAfterOf`. */
  retryAfterOf?: (err: unknown) => number | undefined;
  /** How a failed sync is logged and how often it is retried; default: error level, forever. */
  retryPolicy?: RetryPolicy;
  shutdownTimeoutMs?: number;
}

/**
 * Upstream's per-controller `handleErr`: some controllers log a failed sync quietly and retry it a
 * bounded number of times (the Deployment and Endpoints controllers: `V(2)` and 15 retries), since
 * a conflict or a stale cache is routine there and the next event re-queues the key anyway.
 */
export interface RetryPolicy {
  /** The level of each retry's line (`debug` for klog's V(2)); default `error`. */
  level?: 'debug' | 'info' | 'warn' | 'error';
  /** The retry line's message; default "error processing <key> (retrying with exponential backoff)". */
  message?: string;
  /** Retries before the key is dropped (its backoff forgotten) until its next event; default none. */
  maxRetries?: number;
  /** Logged at error level when the key is dropped. */
  droppedMessage?: string;
}

/** Per event type: enqueue always (true, the default), never (false), or when the predicate says so. */
export interface EnqueueFilter<T> {
  add?: boolean | ((obj: T) => boolean);
  update?: boolean | ((oldObj: T, newObj: T) => boolean);
  delete?: boolean | ((obj: T | DeletedFinalStateUnknown<T>) => boolean);
}

/**
 * Informers → key (`namespace/name`) → rate-limited work queue → N workers calling `reconcile`.
 * Success forgets the key's backoff; an error re-queues it rate-limited (or after the error's
 * retry-after); a result may ask for `requeueAfter`. A throwing reconcile never kills a worker.
 */
export class Controller {
  readonly name: string;
  readonly queue: RateLimitingQueue<string>;
  private readonly logger: Logger;
  private readonly scheduler: Scheduler;
  private readonly sources: HasSynced[];
  private readonly periodics: Periodic[];
  private readonly stopSignal = new AbortController();
  private readonly hardStop = new AbortController();
  private readonly workerLoops: Promise<void>[] = [];
  private state: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  constructor(private readonly options: ControllerOptions) {
    this.name = options.name;
    this.scheduler = options.scheduler;
    this.logger = options.logger ?? noopLogger;
    this.sources = [...(options.waitFor ?? [])];
    this.queue = new RateLimitingQueue<string>({
      name: options.queueName ?? options.name,
      registry: options.registry,
      scheduler: options.scheduler,
      rateLimiter: options.rateLimiter,
    });
    this.periodics = (options.periodics ?? []).map(
      (p) => new Periodic(p, options.scheduler, this.logger),
    );
  }

  /** Enqueues the keys of an informer's objects (filtered) and waits for its cache on start. */
  watch<T extends KubeObject>(informer: Informer<T>, filter: EnqueueFilter<T> = {}): void {
    const allow = <A extends unknown[]>(
      rule: boolean | ((...args: A) => boolean) | undefined,
      ...args: A
    ) => (typeof rule === 'function' ? rule(...args) : rule !== false);
    informer.addEventHandler({
      onAdd: (obj) => allow(filter.add, obj) && this.enqueue(obj),
      onUpdate: (oldObj, newObj) => allow(filter.update, oldObj, newObj) && this.enqueue(newObj),
      onDelete: (obj) => allow(filter.delete, obj) && this.enqueue(obj),
    });
    this.sources.push(informer);
  }

  /** Queues the object's key (tombstones included). Returns true once queued. */
  enqueue<T extends KubeObject>(obj: T | DeletedFinalStateUnknown<T>): boolean {
    let key: string;
    try {
      key = deletionHandlingMetaNamespaceKey(obj);
    } catch (err) {
      this.logger.error(
        { controller: this.name, err: errorMessage(err) },
        "Couldn't get key for object",
      );
      return false;
    }
    this.queue.add(key);
    return true;
  }

  enqueueKey(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(key: string, delayMs: number): void {
    this.queue.addAfter(key, delayMs);
  }

  /**
   * Waits for the caches, then starts the workers and periodic loops. Resolves `true` once running,
   * `false` if stopped before the caches synced.
   */
  async start(): Promise<boolean> {
    if (this.state !== 'new') {
      throw new Error(`controller ${this.name} was already started`);
    }
    this.state = 'starting';
    this.logger.info({ controller: this.name }, 'Starting controller');
    const signal = this.stopSignal.signal;
    if (!(await waitForCacheSync(this.name, this.sources, this.scheduler, this.logger, signal))) {
      return false;
    }
    if (signal.aborted) {
      return false;
    }
    this.state = 'running';
    const workers = Math.max(1, this.options.workers ?? 1);
    for (let i = 0; i < workers; i++) {
      this.workerLoops.push(this.worker());
    }
    for (const p of this.periodics) {
      p.start();
    }
    this.logger.info({ controller: this.name, workers }, 'Started workers');
    return true;
  }

  /**
   * Graceful stop: no new work is taken; reconciles in flight and periodic runs may finish within
   * `timeoutMs`, after which their signal is aborted. Resolves `{ drained }`.
   */
  async stop(
    timeoutMs = this.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
  ): Promise<{ drained: boolean }> {
    this.state = 'stopped';
    this.stopSignal.abort();
    this.logger.info({ controller: this.name }, 'Shutting down controller');
    const cancelTimeout = new AbortController();
    const drained = Promise.all([
      this.queue.shutDownWithDrain(),
      ...this.periodics.map((p) => p.stop()),
      ...this.workerLoops,
    ]).then(() => true);
    const timedOut = sleep(this.scheduler, timeoutMs, cancelTimeout.signal).then(() => false);
    const ok = await Promise.race([drained, timedOut]);
    cancelTimeout.abort();
    if (!ok) {
      this.hardStop.abort();
      this.logger.warn(
        { controller: this.name, inFlight: this.queue.inFlight(), timeoutMs },
        'Timed out waiting for in-flight work to finish',
      );
    }
    return { drained: ok };
  }

  /** True once workers run and until stop. */
  isRunning(): boolean {
    return this.state === 'running';
  }

  private async worker(): Promise<void> {
    while (!this.stopSignal.signal.aborted) {
      const next = await this.queue.get();
      if (next.shutdown) {
        return;
      }
      await this.process(next.item);
    }
  }

  private async process(key: string): Promise<void> {
    try {
      const result = await this.options.reconcile(key, {
        signal: this.hardStop.signal,
        numRequeues: this.queue.numRequeues(key),
      });
      if (result && result.requeueAfter !== undefined && result.requeueAfter > 0) {
        this.queue.forget(key);
        this.queue.addAfter(key, result.requeueAfter);
      } else if (result?.requeue) {
        this.queue.addRateLimited(key);
      } else {
        this.queue.forget(key);
      }
    } catch (err) {
      this.handleError(key, err);
    } finally {
      this.queue.done(key);
    }
  }

  private handleError(key: string, err: unknown): void {
    try {
      const retryAfter = (this.options.retryAfterOf ?? retryAfterOf)(err);
      if (retryAfter !== undefined) {
        this.logger.warn(
          { controller: this.name, key, retryAfterMs: retryAfter, err: errorMessage(err) },
          `error processing ${key} (retrying in ${formatGoDuration(retryAfter * 1e6)})`,
        );
        this.queue.addAfter(key, retryAfter);
        return;
      }
      const policy = this.options.retryPolicy ?? {};
      const fields = { controller: this.name, key, err: errorMessage(err) };
      if (policy.maxRetries !== undefined && this.queue.numRequeues(key) >= policy.maxRetries) {
        this.logger.error(fields, policy.droppedMessage ?? `dropping ${key} out of the queue`);
        this.queue.forget(key);
        return;
      }
      this.logger[policy.level ?? 'error'](
        fields,
        policy.message ?? `error processing ${key} (retrying with exponential backoff)`,
      );
    } catch {
      // A broken logger or retry hook must not lose the key.
    }
    this.queue.addRateLimited(key);
  }
}
