import type { ControllerDescriptor } from '../controller-context';
import { ADOPTION_COMPONENT } from './adoption-cloud';
import { NodeAdoptionController } from './node-adoption-controller';

/** `node-adoption` / `nimbus-node-adoption-controller` (Nimbus; runs only with `--adopt-nodes`). */
export const nodeAdoptionController: ControllerDescriptor = {
  name: 'node-adoption',
  fullName: 'nimbus-node-adoption-controller',
  init(ctx) {
    if (!ctx.settings.adoptNodes) {
      return { skipped: '--adopt-nodes is false', level: 'info' };
    }
    const adoption = ctx.cloud.nodeAdoption?.();
    if (!adoption?.adopting) {
      return { skipped: 'the cloud provider does not adopt nodes' };
    }
    const controller = new NodeAdoptionController({
      nodes: ctx.informers.nodes(),
      adoption,
      recorder: ctx.eventRecorder(ADOPTION_COMPONENT),
      scheduler: ctx.scheduler,
      logger: ctx.logger,
      registry: ctx.registry,
    });
    return {
      async start() {
        await controller.start();
        return { stop: () => controller.stop() };
      },
    };
  },
};
