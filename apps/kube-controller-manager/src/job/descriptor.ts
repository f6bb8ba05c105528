import type { JobObject } from '@app/kube-client';
import type { ControllerDescriptor } from '../controller-context';
import { JobController } from './job-controller';

/** `job-controller` (alias `job`). */
export const jobController: ControllerDescriptor = {
  name: 'job-controller',
  aliases: ['job'],
  init(ctx) {
    const controller = new JobController({
      rest: ctx.rest,
      jobs: ctx.informers.informer<JobObject>('/apis/batch/v1/jobs'),
      pods: ctx.informers.pods(),
      podsByNamespace: ctx.podsByNamespace(),
      recorder: ctx.eventRecorder('job-controller'),
      scheduler: ctx.scheduler,
      clockScheduler: ctx.clockScheduler,
      now: () => ctx.clock.now(),
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
