import { errorMessage } from '@app/controller-runtime';
import type {
  ControllerContext,
  ControllerDescriptor,
  RunningController,
} from './controller-context';

export interface ControllerSet {
  stop(): Promise<void>;
}

/**
 * upstream `run()`: initialise the cloud, build every enabled controller (skipping those the
 * cloud cannot serve, with a warning), start the informers, then the controllers. `signal`
 * (leadership ending) stops them all.
 */
export async function runControllers(
  enabled: readonly ControllerDescriptor[],
  ctx: ControllerContext,
  signal: AbortSignal,
): Promise<ControllerSet> {
  const { logger } = ctx;
  await ctx.cloud.initialize?.();
  const pending: { name: string; start(): Promise<RunningController> }[] = [];
  for (const descriptor of enabled) {
    const result = descriptor.init(ctx);
    if ('skipped' in result) {
      logger.warn(
        { controller: descriptor.fullName, reason: result.skipped },
        'Skipping controller',
      );
      continue;
    }
    pending.push({ name: descriptor.fullName, start: () => result.start() });
  }
  await ctx.informers.start();
  const started: RunningController[] = [];
  // One stop for everyone: the abort listener below and the caller's stop() both wait for the
  // same drain (a second caller returning early would let close() finish with work in flight).
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.all(started.map((c) => c.stop()));
      await ctx.informers.stop();
    })());
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
