import type { ControllerDescriptor } from '../controller-context';
import { CloudNodeController } from './node-controller';

/** `cloud-node` / `cloud-node-controller`: needs InstancesV2 (Nimbus has no legacy Instances). */
export const cloudNodeController: ControllerDescriptor = {
  name: 'cloud-node',
  fullName: 'cloud-node-controller',
  init(ctx) {
    const instances = ctx.cloud.instancesV2();
    if (!instances) {
      return { skipped: 'the cloud provider does not support instances' };
    }
    const controller = new CloudNodeController({
      nodes: ctx.informers.nodes(),
      instances,
      kube: ctx.kube,
      recorder: ctx.eventRecorder('cloud-node-controller'),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
      registry: ctx.registry,
      workers: ctx.settings.concurrentNodeSyncs,
      nodeStatusUpdateFrequencyMs: ctx.settings.nodeStatusUpdateFrequencyMs,
    });
    return {
      async start() {
        await controller.start();
        return { stop: () => controller.stop() };
      },
    };
  },
};
