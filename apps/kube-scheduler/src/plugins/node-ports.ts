import type { V1Pod } from '@app/kube-client';
import type { NodeInfo } from '../cache/node-info';
import type { PodInfo } from '../cache/pod-info';
import { hostPortsOf } from '../api/pod-helpers';
import type {
  CycleState,
  EnqueueExtensions,
  EventRegistration,
  FilterPlugin,
  PreFilterPlugin,
} from '../framework/interfaces';
import { Status } from '../framework/status';
import { PluginNames } from './names';

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

/** NodePorts: a host port (ip/protocol/port) may be used once per node. */
export class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = PluginNames.NodePorts;

  preFilter(_state: CycleState, pod: PodInfo): Status | undefined {
    return pod.hostPorts.length === 0 ? Status.skip() : undefined;
  }

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status | undefined {
    for (const hp of pod.hostPorts) {
      if (node.portConflicts(hp)) {
        return Status.unschedulable(ERR_REASON_PORTS);
      }
    }
    return undefined;
  }

  events(): EventRegistration[] {
    return [
      {
        // A deleted pod frees its ports: only one that used a port this pod wants matters.
        event: 'Pod/Delete',
        hint: (pod, o) =>
          hostPortsOf(o as V1Pod).some((used) =>
            pod.hostPorts.some(
              (want) =>
                want.port === used.port &&
                want.protocol === used.protocol &&
                (want.ip === used.ip || want.ip === '0.0.0.0' || used.ip === '0.0.0.0'),
            ),
          ),
      },
      { event: 'Node/Add' },
    ];
  }
}
