import type { CloudProvider, InstancesV2, NodeAdoptionPolicy } from '@app/cloud-provider';
import {
  EventType,
  objectReference,
  type EventRecorder,
  type Logger,
} from '@app/controller-runtime';
import { NODE_TYPE_META } from '../node/node-constants';
import type { CcmSettings } from '../settings';
import { AdoptionAwareInstances } from './adoption-aware-instances';
import { importRequestFor } from './import-request';

/** `source.component` of the adoption events (a Nimbus controller; upstream has none). */
export const ADOPTION_COMPONENT = 'nimbus-node-adoption-controller';

/**
 * The Nimbus provider's adoption policy for `--adopt-nodes`: which nodes to import and how
 * (import-request.ts), and a `Normal InstanceImported` event on the Node for every import.
 */
export function adoptionPolicy(
  settings: CcmSettings,
  recorder: () => EventRecorder,
  logger: Logger,
): NodeAdoptionPolicy {
  const defaults = {
    clusterName: settings.clusterName,
    zone: settings.adoptZone,
    instanceType: settings.adoptInstanceType,
    deleteAdoptedNodes: settings.deleteAdoptedNodes,
  };
  return {
    importRequest: (node) => importRequestFor(node, defaults),
    onImported(node, instance) {
      const name = node.metadata?.name ?? '';
      logger.info({ node: name, instance: instance.id }, 'Imported node as a cloud instance');
      recorder().event(
        objectReference(node, NODE_TYPE_META),
        EventType.Normal,
        'InstanceImported',
        `Imported node ${name} into the cloud as instance ${instance.id} (InternalIP ${instance.privateIp}, zone ${instance.zone}, type ${instance.instanceType})`,
      );
    },
  };
}

/**
 * The cloud as the controllers see it: the same provider, with InstancesV2 answering for adopted
 * nodes as AdoptionAwareInstances says (always on: a node of another provider is never deleted
 * unless `--delete-adopted-nodes`).
 */
export function adoptionAwareCloud(cloud: CloudProvider, settings: CcmSettings): CloudProvider {
  const inner = cloud.instancesV2();
  const instances: InstancesV2 | undefined =
    inner && new AdoptionAwareInstances(inner, cloud.nodeAdoption?.(), settings.deleteAdoptedNodes);
  // Everything else is the provider's own, including capabilities added later (volumes, …).
  return new Proxy(cloud, {
    get(target, property) {
      if (property === 'instancesV2') {
        return () => instances;
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}
