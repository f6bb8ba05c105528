import {
  EventType,
  errorMessage,
  type EventRecorder,
  type KubeObject,
} from '@app/controller-runtime';
import {
  apiErrorMessage,
  isNotFound,
  type KubeRest,
  type OwnerReference,
  type PodObject,
  type PodTemplateSpec,
} from '@app/kube-client';

/** upstream SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

/**
 * upstream pkg/controller RealPodControl: creates pods from a template with an owner reference
 * and records `SuccessfulCreate Created pod: <name>` / `FailedCreate Error creating: <err>` on
 * the owner; deletes pods with `SuccessfulDelete Deleted pod: <name>` / `FailedDelete`.
 */
export class PodControl {
  constructor(
    private readonly rest: KubeRest,
    private readonly recorder: EventRecorder,
  ) {}

  /** Creates one pod; throws the API error after recording `FailedCreate`. */
  async createPod(
    namespace: string,
    template: PodTemplateSpec,
    owner: KubeObject,
    ref: OwnerReference,
    extra: {
      name?: string;
      generateName?: string;
      labels?: Record<string, string>;
      spec?: object;
    } = {},
  ): Promise<PodObject> {
    const pod = podFromTemplate(template, ref, extra);
    try {
      const created = await this.rest.create<PodObject>(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
        pod,
      );
      this.recorder.event(
        owner,
        EventType.Normal,
        'SuccessfulCreate',
        `Created pod: ${created.metadata?.name ?? ''}`,
      );
      return created;
    } catch (err) {
      this.recorder.event(
        owner,
        EventType.Warning,
        'FailedCreate',
        `Error creating: ${apiErrorMessage(err)}`,
      );
      throw err;
    }
  }

  /** Deletes a pod; a pod already gone counts as deleted (answers false then). */
  async deletePod(namespace: string, name: string, owner: KubeObject): Promise<boolean> {
    try {
      await this.rest.delete(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`,
      );
    } catch (err) {
      if (isNotFound(err)) {
        return false;
      }
      this.recorder.event(
        owner,
        EventType.Warning,
        'FailedDelete',
        `Error deleting: ${errorMessage(err)}`,
      );
      throw err;
    }
    this.recorder.event(owner, EventType.Normal, 'SuccessfulDelete', `Deleted pod: ${name}`);
    return true;
  }
}

/** upstream GetPodFromTemplate: labels, annotations, finalizers and spec of the template. */
export function podFromTemplate(
  template: PodTemplateSpec,
  ref: OwnerReference,
  extra: {
    name?: string;
    generateName?: string;
    labels?: Record<string, string>;
    spec?: object;
  } = {},
): PodObject {
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(extra.name
        ? { name: extra.name }
        : { generateName: extra.generateName ?? `${ref.name}-` }),
      labels: { ...(meta.labels ?? {}), ...(extra.labels ?? {}) },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [ref],
    },
    spec: { ...structuredClone(template.spec ?? { containers: [] }), ...(extra.spec ?? {}) },
  };
}

/**
 * upstream slowStartBatch: runs `count` calls in batches of 1, 2, 4, … (all of a batch in
 * parallel) and stops at the first batch with an error, so a failing create (quota, admission)
 * costs one request instead of `count`. Answers how many succeeded and the first error.
 */
export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<unknown>,
): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  for (
    let batch = Math.min(remaining, initialBatchSize);
    batch > 0;
    batch = Math.min(2 * batch, remaining)
  ) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.find((r) => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) {
      const reason: unknown = failed.reason;
      return { successes, error: reason instanceof Error ? reason : new Error(String(reason)) };
    }
    remaining -= batch;
  }
  return { successes };
}
