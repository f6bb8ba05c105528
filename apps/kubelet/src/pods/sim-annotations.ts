import { parseDuration } from '@app/common';

/** Prefix of the pod annotations that steer the simulated kubelet (docs/cluster.md). */
export const SIM_PREFIX = 'sim.nimbus.dev/';

export const SIM_ANNOTATIONS = {
  /** `ErrImagePull`: pulling the image fails (ImagePullBackOff, retried with back-off). `CrashLoopBackOff`: containers exit with code 1 right after starting. */
  startFailure: `${SIM_PREFIX}start-failure`,
  /** `"true"`: the containers never become ready (readiness probes fail, if any). */
  neverReady: `${SIM_PREFIX}never-ready`,
  /** Duration: containers turn unready that long after they started. */
  unreadyAfter: `${SIM_PREFIX}unready-after`,
  /** Duration: liveness probes fail from that long after start (the container is restarted). */
  livenessFailAfter: `${SIM_PREFIX}liveness-fail-after`,
  /** Duration: containers exit that long after they started (Jobs: with `exit-code`). */
  exitAfter: `${SIM_PREFIX}exit-after`,
  /** Exit code for `exit-after` (default 0). */
  exitCode: `${SIM_PREFIX}exit-code`,
  /** Indexed Job pods: `index=code` pairs (`"1=3,4=42"`) overriding `exit-code` by completion index. */
  exitCodeByIndex: `${SIM_PREFIX}exit-code-by-index`,
  /** Duration: how long pulling the images takes (overrides `--image-pull-duration`). */
  pullDuration: `${SIM_PREFIX}pull-duration`,
  /** `"true"`: containers ignore SIGTERM; deletion waits the whole grace period, exit 137. */
  ignoreSigterm: `${SIM_PREFIX}ignore-sigterm`,
  /** How running containers answer on their declared ports: `auto` (default), `http`, `echo`, `none`. */
  serve: `${SIM_PREFIX}serve`,
} as const;

/**
 * The stand-in for a container's server (pod-responder.ts): `auto` answers HTTP requests over HTTP
 * and echoes anything else, `http` and `echo` only do the one, `none` opens no port (refused).
 */
export type ServeMode = 'auto' | 'http' | 'echo' | 'none';
const SERVE_MODES: readonly ServeMode[] = ['auto', 'http', 'echo', 'none'];

/** The pod's Job completion index annotation (batch/v1 JobCompletionIndexAnnotation). */
const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

export type StartFailure = 'ErrImagePull' | 'CrashLoopBackOff';

/** What a pod's annotations ask of the simulated kubelet; invalid values are reported. */
export interface SimBehaviour {
  startFailure?: StartFailure;
  neverReady: boolean;
  unreadyAfterMs?: number;
  livenessFailAfterMs?: number;
  exitAfterMs?: number;
  exitCode: number;
  pullDurationMs?: number;
  ignoreSigterm: boolean;
  serve: ServeMode;
  /** `annotation: problem` for every value that could not be used (logged; the rest applies). */
  problems: string[];
}

/**
 * How long a Job's containers run when no `exit-after` says otherwise: like kwok's
 * `pod-complete` stage, pods owned by a Job finish (exit 0) on their own, or a Job would never
 * complete on a simulated node.
 */
export const JOB_POD_EXIT_AFTER_MS = 1000;

export function simBehaviourOf(
  annotations: Record<string, string> | undefined,
  options: { ownedByJob?: boolean } = {},
): SimBehaviour {
  const a = annotations ?? {};
  const problems: string[] = [];
  const duration = (key: string): number | undefined => {
    const raw = a[key];
    if (raw === undefined) {
      return undefined;
    }
    try {
      return parseDuration(raw, key);
    } catch {
      problems.push(`${key}: "${raw}" is not a duration (e.g. 30s, 2m)`);
      return undefined;
    }
  };
  const flag = (key: string): boolean => {
    const raw = a[key];
    if (raw === undefined) {
      return false;
    }
    if (raw !== 'true' && raw !== 'false') {
      problems.push(`${key}: "${raw}" must be "true" or "false"`);
    }
    return raw === 'true';
  };
  let startFailure: StartFailure | undefined;
  const failure = a[SIM_ANNOTATIONS.startFailure];
  if (failure === 'ErrImagePull' || failure === 'CrashLoopBackOff') {
    startFailure = failure;
  } else if (failure !== undefined) {
    problems.push(
      `${SIM_ANNOTATIONS.startFailure}: "${failure}" must be ErrImagePull or CrashLoopBackOff`,
    );
  }
  const code = (raw: string): number | undefined =>
    /^\d{1,3}$/.test(raw) && Number(raw) <= 255 ? Number(raw) : undefined;
  let exitCode = 0;
  const rawCode = a[SIM_ANNOTATIONS.exitCode];
  if (rawCode !== undefined) {
    const parsed = code(rawCode);
    if (parsed !== undefined) {
      exitCode = parsed;
    } else {
      problems.push(`${SIM_ANNOTATIONS.exitCode}: "${rawCode}" must be an integer 0–255`);
    }
  }
  const byIndex = a[SIM_ANNOTATIONS.exitCodeByIndex];
  if (byIndex !== undefined) {
    const pairs = byIndex.split(',').map((pair) => pair.trim().split('='));
    if (pairs.every((p) => p.length === 2 && /^\d+$/.test(p[0]) && code(p[1]) !== undefined)) {
      const match = pairs.find(([ix]) => ix === a[JOB_COMPLETION_INDEX]);
      if (match) {
        exitCode = Number(match[1]);
      }
    } else {
      problems.push(
        `${SIM_ANNOTATIONS.exitCodeByIndex}: "${byIndex}" must be index=code pairs like "1=3,4=42"`,
      );
    }
  }
  let serve: ServeMode = 'auto';
  const rawServe = a[SIM_ANNOTATIONS.serve];
  if (rawServe !== undefined) {
    const known = SERVE_MODES.find((m) => m === rawServe);
    if (known) {
      serve = known;
    } else {
      problems.push(
        `${SIM_ANNOTATIONS.serve}: "${rawServe}" must be one of ${SERVE_MODES.join(', ')}`,
      );
    }
  }
  return {
    serve,
    startFailure,
    neverReady: flag(SIM_ANNOTATIONS.neverReady),
    unreadyAfterMs: duration(SIM_ANNOTATIONS.unreadyAfter),
    livenessFailAfterMs: duration(SIM_ANNOTATIONS.livenessFailAfter),
    exitAfterMs:
      duration(SIM_ANNOTATIONS.exitAfter) ??
      (options.ownedByJob ? JOB_POD_EXIT_AFTER_MS : undefined),
    exitCode,
    pullDurationMs: duration(SIM_ANNOTATIONS.pullDuration),
    ignoreSigterm: flag(SIM_ANNOTATIONS.ignoreSigterm),
    problems,
  };
}
