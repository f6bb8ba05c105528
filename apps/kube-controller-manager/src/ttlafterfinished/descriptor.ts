import type { JobObject } from '@app/kube-client';
import type { ControllerDescriptor } from '../controller-context';
import { TtlAfterFinishedController } from './ttl-after-finished-controller';

/** `ttl-after-finished-controller` (alias `ttl-after-finished`). */
export const ttlAfterFinishedController: ControllerDescriptor = {
  name: 'ttl-after-finished-controller',
  aliases: ['ttl-after-finished'],
  init(ctx) {
    const controller = new TtlAfterFinishedController({
      rest: ctx.rest,
      jobs: ctx.informers.informer<JobObject>('/apis/batch/v1/jobs'),
      scheduler: ctx.scheduler,
      clockScheduler: ctx.clockScheduler,
      now: () => ctx.clock.now(),
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
