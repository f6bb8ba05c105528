import type { ControllerDescriptor } from './controller-context';
import { routeControllerDescriptor } from './controllers/route/route-controller-descriptor';

/**
 * Every controller the CCM knows, in start order. A controller plugs in by adding its descriptor
 * here (see docs/ccm.md); `--controllers` then enables or disables it by name.
 */
export const CONTROLLERS: readonly ControllerDescriptor[] = [
  // cloud-node, cloud-node-lifecycle: branch ccm-core adds them here.
  // service: the service-lb-controller (branch ccm-service) adds its descriptor here.
  routeControllerDescriptor,
];
