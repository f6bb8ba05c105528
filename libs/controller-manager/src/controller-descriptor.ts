import { errorMessage, type Logger } from '@app/controller-runtime';

/** A started controller; `stop` drains work in flight. */
export interface RunningController {
  stop(): Promise<void>;
}

/**
 * What a descriptor's `init` answers: something to start once the informers run, or why the
 * controller is skipped (logged as a warning, not fatal — upstream's "Skipping controller"; at
 * info when skipping is what the default flags ask for, so a default start logs no warning).
 */
export type InitResult =
  { start(): Promise<RunningController> } | { skipped: string; level?: 'info' | 'warn' };

/**
 * One controller of a controller manager, as `--controllers` knows it (upstream's
 * app.ControllerDescriptor). Adding a controller = adding one descriptor to the registry.
 */
export interface ControllerDescriptor<Ctx, Settings = unknown> {
  /** Canonical name (`node-lifecycle-controller`); used in logs and `--controllers`. */
  name: string;
  /** Other names `--controllers` accepts (`nodelifecycle`). */
  aliases?: readonly string[];
  /** Only started when named explicitly in `--controllers`. */
  disabledByDefault?: boolean;
  /** Checked before anything starts; throw a ConfigError to refuse to start. */
  validate?(settings: Settings): void;
  /** Builds the controller, registering its informer handlers (informers are not running yet). */
  init(ctx: Ctx): InitResult;
}

export interface ControllerSet {
  stop(): Promise<void>;
}

export interface RunControllersHooks {
  logger: Logger;
  /** Starts the shared informers (after every controller registered its handlers). */
  startInformers(): Promise<void>;
  stopInformers(): Promise<void>;
}

/**
 * upstream `StartControllers`: build every enabled controller (skipping, with a warning, those
 * that say so), start the shared informers, then the controllers. `signal` (leadership ending,
 * shutdown) stops them all; the returned set stops them on demand.
 */
export async function runControllers<Ctx>(
  enabled: readonly ControllerDescriptor<Ctx, never>[],
  ctx: Ctx,
  hooks: RunControllersHooks,
  signal: AbortSignal,
): Promise<ControllerSet> {
  const { logger } = hooks;
  const pending: { name: string; start(): Promise<RunningController> }[] = [];
  for (const descriptor of enabled) {
    const result = descriptor.init(ctx);
    if ('skipped' in result) {
      logger[result.level ?? 'warn'](
        { controller: descriptor.name, reason: result.skipped },
        'Skipping controller',
      );
      continue;
    }
    pending.push({ name: descriptor.name, start: () => result.start() });
  }
  await hooks.startInformers();
  const started: RunningController[] = [];
  let stopping: Promise<void> | undefined;
  // One stop for every caller (the abort listener and the process's close both ask): each waits
  // for the controllers to drain. The informers stop alongside; a draining worker reads its cache.
  const stopAll = () =>
    (stopping ??= Promise.all([...started.map((c) => c.stop()), hooks.stopInformers()]).then(
      () => undefined,
    ));
  for (const p of pending) {
    if (signal.aborted) {
      break;
    }
    try {
      started.push(await p.start());
      logger.info({ controller: p.name }, 'Started controller');
    } catch (err) {
      logger.error({ controller: p.name, err: errorMessage(err) }, 'Error starting controller');
    }
  }
  signal.addEventListener('abort', () => void stopAll(), { once: true });
  if (signal.aborted) {
    await stopAll();
  }
  return { stop: stopAll };
}
