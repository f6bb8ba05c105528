import type { ControllerDescriptor } from '../controller-context';
import { attachDetachController } from './attachdetach/descriptor';
import { persistentVolumeExpanderController } from './expand/descriptor';
import { persistentVolumeBinderController } from './persistentvolume/descriptor';
import { pvProtectionController, pvcProtectionController } from './protection/descriptor';

/** The storage controllers, in upstream's start order (NewControllerDescriptors). */
export const volumeControllers: readonly ControllerDescriptor[] = [
  persistentVolumeBinderController,
  attachDetachController,
  persistentVolumeExpanderController,
  pvcProtectionController,
  pvProtectionController,
];
