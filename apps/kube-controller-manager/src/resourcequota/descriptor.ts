import type { ControllerDescriptor } from '../controller-context';
import { ResourceQuotaController, type ResourceQuotaObject } from './resource-quota-controller';

/** `resourcequota-controller` (alias `resourcequota`). */
export const resourceQuotaController: ControllerDescriptor = {
  name: 'resourcequota-controller',
  aliases: ['resourcequota'],
  init(ctx) {
    const controller = new ResourceQuotaController({
      rest: ctx.rest,
      informers: ctx.informers,
      quotas: ctx.informers.informer<ResourceQuotaObject>('/api/v1/resourcequotas'),
      podsByNamespace: ctx.podsByNamespace(),
      scheduler: ctx.scheduler,
      now: () => ctx.clock.now(),
      logger: ctx.logger,
      workers: ctx.settings.concurrentResourceQuotaSyncs,
      resyncPeriodMs: ctx.settings.resourceQuotaSyncPeriodMs,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
