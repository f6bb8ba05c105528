import type { PodObject } from '@app/kube-client';

type Matcher = (labels: Record<string, string> | undefined) => boolean;

/**
 * The HPA controller's hpaSelectors (pkg/controller/podautoscaler, a selectors.BiMultimap): each
 * autoscaler's target selector as last parsed, so a sync can tell that its pods are also selected
 * by another autoscaler of the namespace (AmbiguousSelector).
 */
export class HpaSelectors {
  private readonly byKey = new Map<string, { namespace: string; matches: Matcher }>();

  put(key: string, namespace: string, matches: Matcher): void {
    this.byKey.set(key, { namespace, matches });
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }

  /** hpasControllingPodsUnderSelector: the autoscalers selecting any of the pods, sorted. */
  selecting(namespace: string, pods: readonly PodObject[]): string[] {
    const found: string[] = [];
    for (const [key, entry] of this.byKey) {
      if (entry.namespace === namespace && pods.some((p) => entry.matches(p.metadata?.labels))) {
        found.push(key);
      }
    }
    return found.sort();
  }
}
