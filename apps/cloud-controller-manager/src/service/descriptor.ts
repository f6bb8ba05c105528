import type { ControllerDescriptor } from '../controller-context';
import { KubeServiceWriter } from './kube-service-writer';
import { ServiceController } from './service-controller';
import { SERVICE_CONTROLLER_COMPONENT } from './service-events';

/** `--controllers` entry of the service (load balancer) controller. */
export const serviceController: ControllerDescriptor = {
  name: 'service',
  fullName: 'service-lb-controller',
  init(ctx) {
    const balancer = ctx.cloud.loadBalancer();
    if (!balancer) {
      ctx.logger.error({}, 'WARNING: the cloud provider does not support load balancers');
      return { skipped: 'the cloud provider does not support load balancers' };
    }
    const controller = new ServiceController({
      clusterName: ctx.settings.clusterName,
      balancer,
      services: ctx.informers.services(),
      nodes: ctx.informers.nodes(),
      writer: new KubeServiceWriter(ctx.kube.services),
      recorder: ctx.eventRecorder(SERVICE_CONTROLLER_COMPONENT),
      scheduler: ctx.scheduler,
      workers: ctx.settings.concurrentServiceSyncs,
      logger: ctx.logger,
      registry: ctx.registry,
      statusConditions: ctx.settings.featureGates.LoadBalancerStatusImprovements
        ? { now: () => ctx.scheduler.now() }
        : undefined,
    });
    return {
      async start() {
        await controller.start();
        return { stop: () => controller.stop() };
      },
    };
  },
};
