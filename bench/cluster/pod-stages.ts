import type { PodObject } from '@app/kube-client';
import { percentile } from '../ccm/scenario';
import type { Row } from './report';

// Where a pod's time goes, as a watcher of the API sees it: created (the client's create, or the
// pod's first appearance for pods a controller creates) → bound (spec.nodeName, the scheduler's
// binding) → kubelet status (status.startTime: the kubelet admitted it and wrote its first
// status) → Running (phase) → Ready (condition).

export const STAGES = ['bound', 'kubelet', 'running', 'ready'] as const;
export type Stage = (typeof STAGES)[number];

const reached: Record<Stage, (p: PodObject) => boolean> = {
  bound: (p) => !!p.spec?.nodeName,
  kubelet: (p) => !!p.status?.startTime,
  running: (p) => p.status?.phase === 'Running',
  ready: (p) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
};

const LABELS: Record<Stage, string> = {
  bound: 'bound',
  kubelet: 'kubelet status',
  running: 'Running',
  ready: 'Ready',
};

/** First-reached times per pod (by UID) and stage; fed by an informer's add/update events. */
export class PodStages {
  readonly createdAt = new Map<string, number>();
  readonly at: Record<Stage, Map<string, number>> = {
    bound: new Map(),
    kubelet: new Map(),
    running: new Map(),
    ready: new Map(),
  };
  /** Informer updates seen per pod: each is one write of the pod by someone. */
  private readonly updates = new Map<string, number>();

  constructor(private readonly keyOf: (p: PodObject) => string = (p) => p.metadata!.uid!) {}

  /** The client's create time (pods the bench creates itself). */
  created(key: string, at = performance.now()): void {
    this.createdAt.set(key, at);
  }

  observe(p: PodObject): void {
    const key = this.keyOf(p);
    const now = performance.now();
    if (!this.createdAt.has(key)) {
      this.createdAt.set(key, now);
    }
    this.updates.set(key, (this.updates.get(key) ?? 0) + 1);
    for (const stage of STAGES) {
      if (!this.at[stage].has(key) && reached[stage](p)) {
        this.at[stage].set(key, now);
      }
    }
  }

  count(stage: Stage): number {
    return this.at[stage].size;
  }

  progress(): string {
    return `${this.createdAt.size} created, ${STAGES.map((s) => `${this.count(s)} ${LABELS[s]}`).join(', ')}`;
  }

  /** p50 / p99 of each stage's step (from the previous stage) and of created → each stage. */
  rows(keys?: ReadonlySet<string>): Row[] {
    const pick = (from: Map<string, number>, to: Map<string, number>) =>
      [...to]
        .filter(([key]) => (!keys || keys.has(key)) && from.has(key))
        .map(([key, at]) => at - from.get(key)!)
        .sort((a, b) => a - b);
    const fmt = (l: number[]) =>
      l.length === 0 ? '—' : `${percentile(l, 50).toFixed(0)} / ${percentile(l, 99).toFixed(0)}`;
    const steps: string[] = [];
    let from = this.createdAt;
    let fromLabel = 'created';
    for (const stage of STAGES) {
      steps.push(`${fromLabel} → ${LABELS[stage]} ${fmt(pick(from, this.at[stage]))}`);
      from = this.at[stage];
      fromLabel = LABELS[stage];
    }
    const cumulative = STAGES.map(
      (stage) => `${LABELS[stage]} ${fmt(pick(this.createdAt, this.at[stage]))}`,
    );
    return [
      ['  per stage p50 / p99 (ms)', steps.join('; ')],
      ['  from created p50 / p99 (ms)', cumulative.join('; ')],
    ];
  }

  /** Pod writes a watcher saw per pod (create, binding, status writes, …) until it was Ready. */
  updatesPerPod(): number {
    const n = [...this.updates.values()];
    return n.length === 0 ? 0 : n.reduce((a, b) => a + b, 0) / n.length;
  }
}
