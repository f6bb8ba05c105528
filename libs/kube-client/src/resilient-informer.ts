import {
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';

export interface InformerHandlers<T extends KubernetesObject> {
  add?(obj: T): void;
  update?(obj: T): void;
  delete?(obj: T): void;
  /** Every failure of list or watch, before the restart is scheduled. */
  error?(error: unknown): void;
  /** The informer (re)connected: its initial list succeeded. */
  connect?(): void;
}

export interface ResilientInformerOptions {
  labelSelector?: string;
  /** e.g. `status.phase!=Succeeded,status.phase!=Failed` (the list function must apply it too). */
  fieldSelector?: string;
  /** First restart delay; doubles on each failure up to `maxBackoffMs`, reset by any event. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface ResilientInformer<T extends KubernetesObject> {
  start(): Promise<void>;
  stop(): Promise<void>;
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): ReadonlyArray<T>;
  /** How many times the informer was restarted after an error. */
  readonly restarts: number;
}

/**
 * A client-node informer that never gives up. client-node 1.4 relists on 410 itself but stops on
 * any other error (server restart, refused connection); this restarts it with capped exponential
 * backoff, the way the official example suggests.
 */
export function createResilientInformer<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  list: () => Promise<KubernetesListObject<T>>,
  handlers: InformerHandlers<T>,
  options: ResilientInformerOptions = {},
): ResilientInformer<T> {
  const initial = options.initialBackoffMs ?? 200;
  const max = options.maxBackoffMs ?? 30_000;
  // makeInformer without its fieldSelector gap: ListWatch takes both selectors.
  const informer = new ListWatch<T>(
    path,
    new Watch(kc),
    list,
    false,
    options.labelSelector,
    options.fieldSelector,
  );
  let backoff = initial;
  let stopped = true;
  let restarts = 0;
  let timer: NodeJS.Timeout | undefined;

  const resetBackoff = () => {
    backoff = initial;
  };
  informer.on('add', (o) => {
    resetBackoff();
    handlers.add?.(o);
  });
  informer.on('update', (o) => {
    resetBackoff();
    handlers.update?.(o);
  });
  informer.on('delete', (o) => {
    resetBackoff();
    handlers.delete?.(o);
  });
  informer.on('connect', () => handlers.connect?.());

  const scheduleRestart = () => {
    if (stopped || timer) {
      return;
    }
    const delay = backoff;
    backoff = Math.min(backoff * 2, max);
    timer = setTimeout(() => {
      timer = undefined;
      if (!stopped) {
        restarts++;
        informer.start().catch((error: unknown) => {
          handlers.error?.(error);
          scheduleRestart();
        });
      }
    }, delay);
  };
  informer.on('error', (error: unknown) => {
    handlers.error?.(error);
    scheduleRestart();
  });

  return {
    async start() {
      stopped = false;
      try {
        await informer.start();
      } catch (error) {
        handlers.error?.(error);
        scheduleRestart();
      }
    },
    async stop() {
      stopped = true;
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      await informer.stop();
    },
    get: (name, namespace) => informer.get(name, namespace),
    list: (namespace) => informer.list(namespace),
    get restarts() {
      return restarts;
    },
  };
}
