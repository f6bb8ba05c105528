import type { V1Node } from '@app/kube-client';
import type { NodeInfo } from '../cache/node-info';
import type { PodInfo } from '../cache/pod-info';
import type { EnqueueExtensions, EventRegistration, FilterPlugin } from '../framework/interfaces';
import { Status } from '../framework/status';
import { PluginNames } from './names';

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

/** NodeName: a pod that names its node fits only there. */
export class NodeName implements FilterPlugin, EnqueueExtensions {
  readonly name = PluginNames.NodeName;

  filter(_state: unknown, pod: PodInfo, node: NodeInfo): Status | undefined {
    const wanted = pod.pod.spec?.nodeName;
    return wanted && wanted !== node.name ? Status.unresolvable(ERR_REASON_NODE_NAME) : undefined;
  }

  events(): EventRegistration[] {
    return [
      {
        event: 'Node/Add',
        hint: (pod, _o, n) =>
          !pod.pod.spec?.nodeName || (n as V1Node).metadata?.name === pod.pod.spec.nodeName,
      },
    ];
  }
}
