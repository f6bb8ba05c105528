import { nodeAdoptionController } from './adoption/descriptor';
import type { ControllerDescriptor } from './controller-context';
import { cloudNodeController } from './node/descriptor';
import { cloudNodeLifecycleController } from './nodelifecycle/descriptor';
import { routeControllerDescriptor } from './route/route-controller-descriptor';
import { serviceController } from './service/descriptor';
import { VOLUME_CONTROLLERS } from './volume/descriptors';

/**
 * Every controller the CCM knows, in start order. A controller plugs in by adding its descriptor
 * here (see docs/ccm.md); `--controllers` then enables or disables it by name.
 */
export const CONTROLLERS: readonly ControllerDescriptor[] = [
  nodeAdoptionController, // Nimbus: skipped unless --adopt-nodes
  cloudNodeController,
  cloudNodeLifecycleController,
  serviceController,
  routeControllerDescriptor,
  ...VOLUME_CONTROLLERS,
];
