import type { EndpointSliceObject, EndpointsObject } from '@app/kube-client';
import type { ControllerDescriptor } from '../controller-context';
import { EndpointSliceController } from './endpoint-slice-controller';
import { EndpointsController } from './endpoints-controller';

/** `endpointslice-controller` (alias `endpointslice`). */
export const endpointSliceController: ControllerDescriptor = {
  name: 'endpointslice-controller',
  aliases: ['endpointslice'],
  init(ctx) {
    const controller = new EndpointSliceController({
      rest: ctx.rest,
      services: ctx.informers.services(),
      pods: ctx.informers.pods(),
      podsByNamespace: ctx.podsByNamespace(),
      slices: ctx.informers.informer<EndpointSliceObject>(
        '/apis/discovery.k8s.io/v1/endpointslices',
      ),
      nodes: ctx.informers.nodes(),
      scheduler: ctx.scheduler,
      now: () => ctx.clock.now(),
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};

/** `endpoints-controller` (alias `endpoint`). */
export const endpointsController: ControllerDescriptor = {
  name: 'endpoints-controller',
  aliases: ['endpoint'],
  init(ctx) {
    const controller = new EndpointsController({
      rest: ctx.rest,
      services: ctx.informers.services(),
      pods: ctx.informers.pods(),
      podsByNamespace: ctx.podsByNamespace(),
      endpoints: ctx.informers.informer<EndpointsObject>('/api/v1/endpoints'),
      scheduler: ctx.scheduler,
      now: () => ctx.clock.now(),
      logger: ctx.logger,
    });
    return { start: async () => (await controller.start(), controller) };
  },
};
