import {
  runControllers as runManagedControllers,
  type ControllerSet,
} from '@app/controller-manager';
import type { ControllerContext, ControllerDescriptor } from './controller-context';

export type { ControllerSet } from '@app/controller-manager';

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
  await ctx.cloud.initialize?.();
  return runManagedControllers(
    enabled.map((d) => ({ name: d.fullName, init: (c: ControllerContext) => d.init(c) })),
    ctx,
    {
      logger: ctx.logger,
      startInformers: () => ctx.informers.start(),
      stopInformers: () => ctx.informers.stop(),
    },
    signal,
  );
}
