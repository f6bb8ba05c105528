import type { ControllerDescriptor } from './controller-context';
import { cronJobController } from './cronjob/descriptor';
import { daemonSetController } from './daemonset/descriptor';
import { disruptionController } from './disruption/descriptor';
import { deploymentController } from './deployment/descriptor';
import { endpointSliceController, endpointsController } from './endpoints/descriptor';
import { jobController } from './job/descriptor';
import { horizontalPodAutoscalerController } from './podautoscaler/descriptor';
import { nodeIpamController } from './nodeipam/descriptor';
import { nodeLifecycleController } from './nodelifecycle/descriptor';
import { podGarbageCollectorController } from './podgc/descriptor';
import { replicaSetController, replicationController } from './replicaset/descriptor';
import { resourceQuotaController } from './resourcequota/descriptor';
import { rootCaCertPublisher } from './rootcacertpublisher/descriptor';
import { statefulSetController } from './statefulset/descriptor';
import { serviceAccountController } from './serviceaccount/descriptor';
import { taintEvictionController } from './tainteviction/descriptor';
import { ttlController } from './ttl/descriptor';
import { ttlAfterFinishedController } from './ttlafterfinished/descriptor';
import { volumeControllers } from './volume/descriptors';

/**
 * Every controller the kube-controller-manager runs, in start order (upstream
 * NewControllerDescriptors). A controller plugs in by adding its descriptor here;
 * `--controllers` then enables or disables it by name or alias.
 */
export const CONTROLLERS: readonly ControllerDescriptor[] = [
  serviceAccountController,
  rootCaCertPublisher,
  nodeIpamController,
  nodeLifecycleController,
  replicationController,
  replicaSetController,
  deploymentController,
  jobController,
  ttlAfterFinishedController,
  daemonSetController,
  statefulSetController,
  cronJobController,
  disruptionController,
  resourceQuotaController,
  horizontalPodAutoscalerController,
  endpointsController,
  endpointSliceController,
  taintEvictionController,
  podGarbageCollectorController,
  ttlController,
  ...volumeControllers,
];
