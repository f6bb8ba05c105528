import type { PodInfo } from '../cache/pod-info';
import type { PreEnqueuePlugin } from '../framework/interfaces';
import { Status } from '../framework/status';
import { PluginNames } from './names';

/** SchedulingGates: a pod with `spec.schedulingGates` waits outside the active queue. */
export class SchedulingGates implements PreEnqueuePlugin {
  readonly name = PluginNames.SchedulingGates;

  preEnqueue(pod: PodInfo): Status | undefined {
    const gates = pod.pod.spec?.schedulingGates ?? [];
    if (gates.length === 0) {
      return undefined;
    }
    return Status.unresolvable(
      `waiting for scheduling gates: [${gates.map((g) => g.name).join(' ')}]`,
    );
  }
}
