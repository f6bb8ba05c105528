import type { JobObject, PodObject } from '@app/kube-client';

export type PodFailurePolicy = NonNullable<NonNullable<JobObject['spec']>['podFailurePolicy']>;
export type FailurePolicyAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

/** What the first matching rule of a failed pod says (upstream matchPodFailurePolicy). */
export interface FailurePolicyMatch {
  /** The Job's failure message, for a FailJob rule. */
  failJobMessage?: string;
  /** False for an Ignore rule: the failure is not counted against the back-off limits. */
  countFailed: boolean;
  action?: FailurePolicyAction;
}

type ContainerStatus = NonNullable<NonNullable<PodObject['status']>['containerStatuses']>[number];
type ExitCodes = NonNullable<PodFailurePolicy['rules'][number]['onExitCodes']>;

/** The rules in order; the first whose exit codes or pod conditions match decides. */
export function matchPodFailurePolicy(
  policy: PodFailurePolicy | undefined | null,
  pod: PodObject,
): FailurePolicyMatch {
  if (!policy) {
    return { countFailed: true };
  }
  const ns = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  for (const [index, rule] of (policy.rules ?? []).entries()) {
    const action = rule.action as FailurePolicyAction;
    let failJobMessage: string | undefined;
    if (rule.onExitCodes) {
      const container = matchOnExitCodes(pod, rule.onExitCodes);
      if (!container) {
        continue;
      }
      failJobMessage = `Container ${container.name} for pod ${ns}/${name} failed with exit code ${container.state?.terminated?.exitCode} matching ${action} rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const condition = (pod.status?.conditions ?? []).find((c) =>
        rule.onPodConditions?.some((p) => p.type === c.type && (p.status ?? 'True') === c.status),
      );
      if (!condition) {
        continue;
      }
      failJobMessage = `Pod ${ns}/${name} has condition ${condition.type} matching ${action} rule at index ${index}`;
    } else {
      continue;
    }
    switch (action) {
      case 'Ignore':
        return { countFailed: false, action };
      case 'Count':
      case 'FailIndex':
        return { countFailed: true, action };
      case 'FailJob':
        return { countFailed: true, action, failJobMessage };
      default:
        // An action this version does not know: the rule is skipped, as upstream does.
        continue;
    }
  }
  return { countFailed: true };
}

/** A terminated container (regular ones first, then init) with a non-zero matching code. */
function matchOnExitCodes(pod: PodObject, req: ExitCodes): ContainerStatus | undefined {
  const lists = [pod.status?.containerStatuses ?? [], pod.status?.initContainerStatuses ?? []];
  for (const list of lists) {
    const found = list.find((c) => {
      const code = c.state?.terminated?.exitCode;
      if (code === undefined || code === 0) {
        return false;
      }
      if (req.containerName && req.containerName !== c.name) {
        return false;
      }
      const listed = (req.values ?? []).includes(code);
      return req.operator === 'In' ? listed : req.operator === 'NotIn' ? !listed : false;
    });
    if (found) {
      return found;
    }
  }
  return undefined;
}
