import type { V1Node } from '@app/kube-client';
import type { NodeInfo } from '../cache/node-info';
import type { PodInfo } from '../cache/pod-info';
import { tolerationsTolerateTaint } from '../api/tolerations';
import type { EnqueueExtensions, EventRegistration, FilterPlugin } from '../framework/interfaces';
import { Status } from '../framework/status';
import { PluginNames } from './names';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

const tolerates = (pod: PodInfo): boolean =>
  tolerationsTolerateTaint(pod.tolerations, UNSCHEDULABLE_TAINT);

/** NodeUnschedulable: cordoned nodes (`spec.unschedulable`) unless the pod tolerates it. */
export class NodeUnschedulable implements FilterPlugin, EnqueueExtensions {
  readonly name = PluginNames.NodeUnschedulable;

  filter(_state: unknown, pod: PodInfo, node: NodeInfo): Status | undefined {
    if (!node.unschedulable || tolerates(pod)) {
      return undefined;
    }
    return Status.unresolvable(ERR_REASON_UNSCHEDULABLE);
  }

  events(): EventRegistration[] {
    const schedulable = (n: unknown) => (n as V1Node | undefined)?.spec?.unschedulable !== true;
    return [
      { event: 'Node/Add', hint: (pod, _o, n) => schedulable(n) || tolerates(pod) },
      {
        event: 'Node/Update',
        hint: (pod, o, n) => !schedulable(o) && (schedulable(n) || tolerates(pod)),
      },
    ];
  }
}
