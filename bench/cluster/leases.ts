import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { KubeRest, LeaseObject } from '@app/kube-client';
import type { Row } from './report';

const CONTROL_PLANE = ['kube-controller-manager', 'kube-scheduler', 'cloud-controller-manager'];

/**
 * Whether the control plane kept its leases through each phase: each Lease's `leaseTransitions`
 * counts the times its holder changed since the first leader (a loss, then `nimbus up` restarting
 * the component), next to the event loop's worst delays in that phase (a renewal cannot beat its
 * 10 s deadline in a process whose loop stalls that long).
 */
export class LeaseWatch {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor(private readonly rest: KubeRest) {
    this.delay.enable();
  }

  async rows(phase: string): Promise<Row[]> {
    const counts = await Promise.all(
      CONTROL_PLANE.map(async (name) => {
        const lease = await this.rest.get<LeaseObject>(
          `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`,
        );
        return `${name} ${lease.spec?.leaseTransitions ?? 0}`;
      }),
    );
    const ms = (ns: number) => `${Math.round(ns / 1e6)} ms`;
    const rows: Row[] = [
      [`  lease transitions (losses) after ${phase}`, counts.join(', ')],
      [
        `  event loop delay during ${phase}: p99 / max`,
        `${ms(this.delay.percentile(99))} / ${ms(this.delay.max)}`,
      ],
    ];
    this.delay.reset();
    return rows;
  }

  stop(): void {
    this.delay.disable();
  }
}
