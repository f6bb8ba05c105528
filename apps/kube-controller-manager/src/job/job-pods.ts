import type { JobObject, PodObject, PodTemplateSpec } from '@app/kube-client';
import { podsInDeletionOrder } from '../util/deletion-order';
import {
  COMPLETION_INDEX_ENV,
  JOB_COMPLETION_INDEX,
  completionIndexOf,
  generateNameWithIndex,
} from './indexes';
import { JOB_TRACKING_FINALIZER, indexFailureAnnotations, isIndexed } from './job-state';

/** The strategic-merge patch that drops only the tracking finalizer. */
export const REMOVE_TRACKING_FINALIZER = {
  metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] },
};

/**
 * The template of a Job's pods as manageJob creates them: the tracking finalizer, and for an
 * Indexed Job `JOB_COMPLETION_INDEX` from the index label in every container.
 */
export function jobPodTemplate(job: JobObject): PodTemplateSpec {
  const template = structuredClone(job.spec?.template ?? {});
  const meta = (template.metadata ??= {});
  if (!(meta.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)) {
    meta.finalizers = [...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER];
  }
  if (isIndexed(job) && template.spec) {
    for (const c of [...(template.spec.initContainers ?? []), ...template.spec.containers]) {
      if (!(c.env ?? []).some((e) => e.name === COMPLETION_INDEX_ENV)) {
        c.env = [
          ...(c.env ?? []),
          {
            name: COMPLETION_INDEX_ENV,
            valueFrom: { fieldRef: { fieldPath: `metadata.labels['${JOB_COMPLETION_INDEX}']` } },
          },
        ];
      }
    }
  }
  return template;
}

/**
 * One index's pod: the index annotation and label, hostname `<job>-<index>`, generateName
 * `<job>-<index>-`, and with backoffLimitPerIndex the failure counts carried over.
 */
export function indexedPodTemplate(
  job: JobObject,
  base: PodTemplateSpec,
  index: number,
  lastFailed: PodObject | undefined,
): { template: PodTemplateSpec; generateName: string } {
  const template = structuredClone(base);
  const meta = (template.metadata ??= {});
  meta.annotations = { ...(meta.annotations ?? {}), [JOB_COMPLETION_INDEX]: String(index) };
  if (typeof job.spec?.backoffLimitPerIndex === 'number') {
    Object.assign(meta.annotations, indexFailureAnnotations(job, lastFailed));
  }
  meta.labels = { ...(meta.labels ?? {}), [JOB_COMPLETION_INDEX]: String(index) };
  const name = job.metadata?.name ?? '';
  if (template.spec) {
    template.spec.hostname = `${name}-${index}`;
  }
  return { template, generateName: generateNameWithIndex(name, index) };
}

/**
 * activePodsForRemoval: for an Indexed Job first the pods without a valid index and all but
 * one of each repeated index, then the rest in upstream's ActivePods order.
 */
export function activePodsForRemoval(
  job: JobObject,
  active: readonly PodObject[],
  atLeast: number,
  now: number,
): PodObject[] {
  const rm: PodObject[] = [];
  let left: PodObject[] = [...active];
  if (isIndexed(job)) {
    const completions = job.spec?.completions ?? 0;
    const byIndex = new Map<number, PodObject[]>();
    left = [];
    for (const p of active) {
      const ix = completionIndexOf(p);
      if (ix === undefined || ix >= completions) {
        rm.push(p);
      } else {
        byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
      }
    }
    for (const group of byIndex.values()) {
      // Keep the pod furthest along (last in deletion order), remove the other duplicates.
      const ordered = podsInDeletionOrder(group, active, now);
      rm.push(...ordered.slice(0, -1));
      left.push(ordered[ordered.length - 1]);
    }
  }
  if (rm.length < atLeast) {
    rm.push(...podsInDeletionOrder(left, active, now).slice(0, atLeast - rm.length));
  }
  return rm;
}
