import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { KubeRest } from '@app/kube-client';
import { costPerPod, requestCosts, type RequestCosts } from './apiserver-cost';
import type { Row } from './report';

/**
 * What a phase cost the one process that runs the whole cluster: CPU time per pod (every thread),
 * how busy the main thread's event loop was (near 100 %: the loop, not waiting, bounds the rate;
 * the api-server has its own thread), and the api-server's requests and handler time per pod.
 */
export class PhaseCost {
  private constructor(
    private readonly rest: KubeRest,
    private readonly cpu: NodeJS.CpuUsage,
    private readonly elu: EventLoopUtilization,
    private readonly requests: RequestCosts,
    private readonly startedAt: number,
  ) {}

  static async start(rest: KubeRest): Promise<PhaseCost> {
    const requests = await requestCosts(rest);
    return new PhaseCost(
      rest,
      process.cpuUsage(),
      performance.eventLoopUtilization(),
      requests,
      performance.now(),
    );
  }

  async finish(pods: number): Promise<Row[]> {
    const cpu = process.cpuUsage(this.cpu);
    const elu = performance.eventLoopUtilization(this.elu);
    const wallMs = performance.now() - this.startedAt;
    const requests = await requestCosts(this.rest);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return [
      [
        `  CPU per pod (whole process) / main event loop busy`,
        `${(cpuMs / pods).toFixed(2)} ms (${((cpuMs / wallMs) * 100).toFixed(0)} % of a core) / ${(elu.utilization * 100).toFixed(0)} %`,
      ],
      [`  api-server requests per pod`, costPerPod(this.requests, requests, pods)],
    ];
  }
}
