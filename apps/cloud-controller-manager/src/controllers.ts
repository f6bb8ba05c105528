import type { ControllerDescriptor } from './controller-context';
import { cloudNodeController } from './node/descriptor';
import { cloudNodeLifecycleController } from './nodelifecycle/descriptor';
import { routeControllerDescriptor } from './route/route-controller-descriptor';

/**
 * Every controller the CCM knows, in start order. A controller plugs in by adding its descriptor
 * here (see docs/ccm.md); `--controllers` then enables or disables it by name.
 */
export const CONTROLLERS: readonly ControllerDescriptor[] = [
  cloudNodeController,
  cloudNodeLifecycleController,
  // service: the service-lb-controller (branch ccm-service) adds its descriptor here.
  routeControllerDescriptor,
];
