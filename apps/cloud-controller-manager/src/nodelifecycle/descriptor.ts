import type { ControllerDescriptor } from '../controller-context';
import { CloudNodeLifecycleController } from './node-lifecycle-controller';

/** `cloud-node-lifecycle` / `cloud-node-lifecycle-controller`: needs InstancesV2. */
export const cloudNodeLifecycleController: ControllerDescriptor = {
  name: 'cloud-node-lifecycle',
  fullName: 'cloud-node-lifecycle-controller',
  init(ctx) {
    const instances = ctx.cloud.instancesV2();
    if (!instances) {
      return { skipped: 'the cloud provider does not support instances' };
    }
    const nodes = ctx.informers.nodes();
    const controller = new CloudNodeLifecycleController({
      nodes,
      instances,
      kube: ctx.kube,
      recorder: ctx.eventRecorder('cloud-node-lifecycle-controller'),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
      nodeMonitorPeriodMs: ctx.settings.nodeMonitorPeriodMs,
    });
    return {
      async start() {
        // Like upstream's Run: work only from a synced cache.
        await ctx.informers.waitForCacheSync();
        controller.start();
        return { stop: () => controller.stop() };
      },
    };
  },
};
