import type { HorizontalPodAutoscalerObject } from '@app/kube-client';
import type { ControllerDescriptor } from '../controller-context';
import { HorizontalController } from './horizontal-controller';
import { ScaleTargets } from './scale-targets';

/** `horizontal-pod-autoscaler-controller` (alias `horizontalpodautoscaling`). */
export const horizontalPodAutoscalerController: ControllerDescriptor = {
  name: 'horizontal-pod-autoscaler-controller',
  aliases: ['horizontalpodautoscaling'],
  init(ctx) {
    const controller = new HorizontalController({
      rest: ctx.rest,
      hpas: ctx.informers.informer<HorizontalPodAutoscalerObject>(
        '/apis/autoscaling/v2/horizontalpodautoscalers',
      ),
      scales: new ScaleTargets(ctx.rest),
      recorder: ctx.eventRecorder('horizontal-pod-autoscaler'),
      scheduler: ctx.scheduler,
      clockScheduler: ctx.clockScheduler,
      now: () => ctx.clock.now(),
      logger: ctx.logger,
      syncPeriodMs: ctx.settings.horizontalPodAutoscalerSyncPeriodMs,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
