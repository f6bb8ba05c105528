import type { HorizontalPodAutoscalerObject } from '@app/kube-client';
import type { ControllerDescriptor } from '../controller-context';
import { HorizontalController } from './horizontal-controller';
import { ResourceMetricsClient } from './resource-metrics-client';
import { ScaleTargets } from './scale-targets';

/** `horizontal-pod-autoscaler-controller` (alias `horizontalpodautoscaling`). */
export const horizontalPodAutoscalerController: ControllerDescriptor = {
  name: 'horizontal-pod-autoscaler-controller',
  aliases: ['horizontalpodautoscaling'],
  init(ctx) {
    const podsByNamespace = ctx.podsByNamespace();
    const s = ctx.settings;
    const controller = new HorizontalController({
      rest: ctx.rest,
      hpas: ctx.informers.informer<HorizontalPodAutoscalerObject>(
        '/apis/autoscaling/v2/horizontalpodautoscalers',
      ),
      scales: new ScaleTargets(ctx.rest),
      metrics: new ResourceMetricsClient(ctx.rest),
      pods: (namespace) => podsByNamespace.byIndex(namespace),
      recorder: ctx.eventRecorder('horizontal-pod-autoscaler'),
      scheduler: ctx.scheduler,
      clockScheduler: ctx.clockScheduler,
      now: () => ctx.clock.now(),
      logger: ctx.logger,
      syncPeriodMs: s.horizontalPodAutoscalerSyncPeriodMs,
      downscaleStabilizationMs: s.horizontalPodAutoscalerDownscaleStabilizationMs,
      calculator: {
        tolerance: s.horizontalPodAutoscalerTolerance,
        cpuInitializationPeriodMs: s.horizontalPodAutoscalerCpuInitializationPeriodMs,
        delayOfInitialReadinessStatusMs: s.horizontalPodAutoscalerInitialReadinessDelayMs,
      },
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
