import type { PodObject } from '@app/kube-client';

/** batch/v1 JobCompletionIndexAnnotation (also the label's key, PodIndexLabel is GA). */
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
/** Counted failures of earlier pods of the same index (backoffLimitPerIndex). */
export const JOB_INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';
/** Failures of earlier pods of the same index that an Ignore rule left uncounted. */
export const JOB_INDEX_IGNORED_FAILURE_COUNT =
  'batch.kubernetes.io/job-index-ignored-failure-count';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/** One closed range of completion indexes. */
export interface Interval {
  first: number;
  last: number;
}

/**
 * upstream orderedIntervals: sorted, non-overlapping, non-adjacent ranges — the compressed
 * form of `status.completedIndexes` / `failedIndexes` ("1,3-5,7").
 */
export class OrderedIntervals {
  constructor(readonly intervals: readonly Interval[] = []) {}

  /** parseIndexesFromString: ignores corrupt parts, clips at `completions`. */
  static parse(text: string | undefined | null, completions: number): OrderedIntervals {
    const result: Interval[] = [];
    if (!text) {
      return new OrderedIntervals(result);
    }
    for (const part of text.split(',')) {
      const limits = part.split('-');
      const first = toIndex(limits[0]);
      if (first === undefined) {
        continue;
      }
      if (first >= completions) {
        break;
      }
      let last = first;
      if (limits.length > 1) {
        const parsed = toIndex(limits[1]);
        if (parsed === undefined) {
          continue;
        }
        last = Math.min(parsed, completions - 1);
      }
      const prev = result.at(-1);
      if (prev && prev.last === first - 1) {
        prev.last = last;
      } else {
        result.push({ first, last });
      }
    }
    return new OrderedIntervals(result);
  }

  /** withOrderedIndexes: these ranges plus `indexes` (ascending), merged. */
  with(indexes: readonly number[]): OrderedIntervals {
    const sorted = [...new Set(indexes)].sort((a, b) => a - b);
    const result: Interval[] = [];
    const add = (iv: Interval) => {
      const last = result.at(-1);
      if (!last || iv.first > last.last + 1) {
        result.push({ ...iv });
      } else if (last.last < iv.last) {
        last.last = iv.last;
      }
    };
    let i = 0;
    let j = 0;
    while (i < this.intervals.length && j < sorted.length) {
      if (this.intervals[i].first < sorted[j]) {
        add(this.intervals[i++]);
      } else {
        add({ first: sorted[j], last: sorted[j] });
        j++;
      }
    }
    for (; i < this.intervals.length; i++) {
      add(this.intervals[i]);
    }
    for (; j < sorted.length; j++) {
      add({ first: sorted[j], last: sorted[j] });
    }
    return new OrderedIntervals(result);
  }

  /** Both sets of ranges merged (upstream orderedIntervals.merge). */
  union(other: OrderedIntervals): OrderedIntervals {
    const all = [...this.intervals, ...other.intervals].sort((a, b) => a.first - b.first);
    const result: Interval[] = [];
    for (const iv of all) {
      const last = result.at(-1);
      if (!last || iv.first > last.last + 1) {
        result.push({ ...iv });
      } else {
        last.last = Math.max(last.last, iv.last);
      }
    }
    return new OrderedIntervals(result);
  }

  total(): number {
    return this.intervals.reduce((n, iv) => n + iv.last - iv.first + 1, 0);
  }

  has(ix: number): boolean {
    return this.intervals.some((iv) => iv.first <= ix && ix <= iv.last);
  }

  /** "0-2,4,6,7": ranges of three or more with a dash, pairs with a comma (upstream String()). */
  toString(): string {
    return this.intervals
      .map((iv) =>
        iv.last === iv.first
          ? `${iv.first}`
          : `${iv.first}${iv.last === iv.first + 1 ? ',' : '-'}${iv.last}`,
      )
      .join(',');
  }
}

function toIndex(raw: string | undefined): number | undefined {
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** getCompletionIndex: the pod's index annotation, or undefined when missing or invalid. */
export function completionIndexOf(pod: PodObject): number | undefined {
  return toIndex(pod.metadata?.annotations?.[JOB_COMPLETION_INDEX]);
}

/** firstPendingIndexes: the `count` lowest indexes below `completions` neither running nor done. */
export function firstPendingIndexes(
  active: readonly PodObject[],
  done: OrderedIntervals,
  count: number,
  completions: number,
): number[] {
  const busy = done.with(
    active.map(completionIndexOf).filter((ix): ix is number => ix !== undefined),
  );
  const result: number[] = [];
  let candidate = 0;
  for (const iv of busy.intervals) {
    for (; candidate < completions && result.length < count && candidate < iv.first; candidate++) {
      result.push(candidate);
    }
    candidate = Math.max(candidate, iv.last + 1);
  }
  for (; candidate < completions && result.length < count; candidate++) {
    result.push(candidate);
  }
  return result;
}

/** upstream podGenerateNameWithIndex: `<job>-<index>-`, the job name cut to fit 58 characters. */
export function generateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const maxGeneratedNameLength = 58;
  const prefix = jobName + suffix;
  return prefix.length > maxGeneratedNameLength
    ? prefix.slice(0, maxGeneratedNameLength - suffix.length) + suffix
    : prefix;
}

const countAnnotation = (pod: PodObject, key: string): number =>
  toIndex(pod.metadata?.annotations?.[key]) ?? 0;

export const indexFailureCount = (pod: PodObject): number =>
  countAnnotation(pod, JOB_INDEX_FAILURE_COUNT);
export const indexIgnoredFailureCount = (pod: PodObject): number =>
  countAnnotation(pod, JOB_INDEX_IGNORED_FAILURE_COUNT);
