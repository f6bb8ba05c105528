import {
  errorMessage,
  EventType,
  formatTime,
  type KubeObject,
  type Logger,
  type Scheduler,
} from '@app/controller-runtime';
import type { PodInfo } from '../cache/pod-info';
import type { Candidate, PreemptionExecutor } from '../plugins/default-preemption';
import type { SchedulerMetrics } from './metrics';
import type { PodApi, Recorder } from './scheduler-loop';

/** The pod calls preemption adds to binding's. */
export interface PreemptionPodApi extends PodApi {
  delete(namespace: string, name: string, uid?: string): Promise<void>;
}

const asObject = (p: PodInfo): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', ...p.pod });

/**
 * prepareCandidate: each victim gets `DisruptionTarget=True` (PreemptionByScheduler), is deleted
 * with its grace period, and gets a `Preempted` event. The writes run in the background; the
 * victims' deletions then free the node for the nominated preemptor.
 */
export class Preemptor implements PreemptionExecutor {
  constructor(
    private readonly pods: PreemptionPodApi,
    private readonly recorder: Recorder,
    private readonly metrics: SchedulerMetrics | undefined,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
  ) {}

  preempt(preemptor: PodInfo, candidate: Candidate): void {
    const schedulerName = preemptor.pod.spec?.schedulerName ?? 'default-scheduler';
    for (const victim of candidate.victims) {
      void this.evict(victim, {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'PreemptionByScheduler',
        message: `${schedulerName}: preempting to accommodate a higher priority pod`,
        lastProbeTime: null,
        lastTransitionTime: formatTime(this.scheduler.now()),
      }).then((ok) => {
        if (ok) {
          this.recorder.eventf(
            asObject(victim),
            asObject(preemptor),
            EventType.Normal,
            'Preempted',
            'Preempting',
            `Preempted by pod ${preemptor.uid} on node ${candidate.node.name}`,
          );
        }
      });
    }
    this.metrics?.preemptionVictimCount(candidate.victims.length);
  }

  private async evict(victim: PodInfo, condition: object): Promise<boolean> {
    try {
      await this.pods.patchStatus(victim.namespace, victim.name, {
        status: { conditions: [condition] },
      });
      await this.pods.delete(victim.namespace, victim.name, victim.pod.metadata?.uid);
      return true;
    } catch (err) {
      this.logger.error(
        { pod: victim.key, err: errorMessage(err) },
        'Could not preempt victim pod',
      );
      return false;
    }
  }
}
