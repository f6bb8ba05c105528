import type { ControllerDescriptor } from './controller-context';
import { serviceControllerDescriptor } from './controllers/service/service-controller.descriptor';

/**
 * Every controller the CCM knows, in start order. A controller plugs in by adding its descriptor
 * here (see docs/ccm.md); `--controllers` then enables or disables it by name.
 */
export const CONTROLLERS: readonly ControllerDescriptor[] = [
  // cloud-node, cloud-node-lifecycle: branch ccm-core adds them here.
  serviceControllerDescriptor,
  // route: the node-route-controller (branch ccm-route) adds its descriptor here.
];
