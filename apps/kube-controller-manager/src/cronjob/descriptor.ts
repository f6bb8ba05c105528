import type { CronJobObject, JobObject } from '@app/kube-client';
import type { ControllerDescriptor } from '../controller-context';
import { CronJobController } from './cron-job-controller';

/** `cronjob-controller` (alias `cronjob`). */
export const cronJobController: ControllerDescriptor = {
  name: 'cronjob-controller',
  aliases: ['cronjob'],
  init(ctx) {
    const controller = new CronJobController({
      rest: ctx.rest,
      cronJobs: ctx.informers.informer<CronJobObject>('/apis/batch/v1/cronjobs'),
      jobs: ctx.informers.informer<JobObject>('/apis/batch/v1/jobs'),
      recorder: ctx.eventRecorder('cronjob-controller'),
      scheduler: ctx.scheduler,
      clockScheduler: ctx.clockScheduler,
      now: () => ctx.clock.now(),
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
