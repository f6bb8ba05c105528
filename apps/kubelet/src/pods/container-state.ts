import { randomBytes } from 'node:crypto';
import { formatTime } from '@app/controller-runtime';
import type { Container, ContainerStatus, Probe } from '@app/kube-client';
import { imageIdOf, normalizeImage } from './images';

export interface TerminatedInfo {
  exitCode: number;
  reason: string;
  message?: string;
  startedAt: number;
  finishedAt: number;
  containerId: string;
}

/** Progress of one probe (readiness, liveness or startup) of a running container. */
export interface ProbeState {
  nextAt?: number;
  successes: number;
  failures: number;
}

/** The simulated runtime state of one container (regular or init). */
export interface SimContainer {
  name: string;
  init: boolean;
  spec: Container;
  /** The normalised reference the runtime reports (`docker.io/library/nginx:1.27`). */
  image: string;
  imageId: string;
  /** Whether the image was ever resolved (imageID is empty until the first pull). */
  imageKnown: boolean;
  state:
    | { kind: 'waiting'; reason: string; message?: string }
    | { kind: 'running'; startedAt: number }
    | { kind: 'terminated'; info: TerminatedInfo };
  containerId?: string;
  lastTerminated?: TerminatedInfo;
  restartCount: number;
  /** Startup probe passed (or there is none). */
  started: boolean;
  ready: boolean;
  /** The container was created at least once (its volume mounts are reported from then on). */
  created: boolean;
  /** The kubelet started working on it (first pull); later steps are scheduled. */
  begun: boolean;
  // Pending steps, as clock instants.
  pullDoneAt?: number;
  /** When ErrImagePull turns into ImagePullBackOff. */
  pullBackOffAt?: number;
  pullRetryAt?: number;
  restartAt?: number;
  exitAt?: number;
  exitCode?: number;
  unreadyAt?: number;
  readiness: ProbeState;
  liveness: ProbeState;
  startup: ProbeState;
}

export function newContainer(spec: Container, init: boolean): SimContainer {
  const image = normalizeImage(spec.image ?? '');
  return {
    name: spec.name,
    init,
    spec,
    image,
    imageId: imageIdOf(image),
    imageKnown: false,
    state: { kind: 'waiting', reason: init ? 'PodInitializing' : 'ContainerCreating' },
    restartCount: 0,
    started: false,
    ready: false,
    created: false,
    begun: false,
    readiness: { successes: 0, failures: 0 },
    liveness: { successes: 0, failures: 0 },
    startup: { successes: 0, failures: 0 },
  };
}

/** `containerd://<64 hex>`. */
export function newContainerId(): string {
  return `containerd://${randomBytes(32).toString('hex')}`;
}

/** A probe's timings with upstream defaults (period 10 s, thresholds 1 / 3). */
export function probeTimings(probe: Probe): {
  initialDelayMs: number;
  periodMs: number;
  successThreshold: number;
  failureThreshold: number;
} {
  return {
    initialDelayMs: (probe.initialDelaySeconds ?? 0) * 1000,
    periodMs: (probe.periodSeconds ?? 10) * 1000,
    successThreshold: probe.successThreshold ?? 1,
    failureThreshold: probe.failureThreshold ?? 3,
  };
}

function terminatedStatus(t: TerminatedInfo): Record<string, unknown> {
  return {
    containerID: t.containerId,
    exitCode: t.exitCode,
    finishedAt: formatTime(t.finishedAt),
    reason: t.reason,
    ...(t.message ? { message: t.message } : {}),
    startedAt: formatTime(t.startedAt),
  };
}

/** The container's `ContainerStatus` as a 1.32 kubelet reports it. */
export function containerStatusOf(c: SimContainer): ContainerStatus {
  let state: Record<string, unknown>;
  switch (c.state.kind) {
    case 'waiting':
      state = {
        waiting: {
          reason: c.state.reason,
          ...(c.state.message ? { message: c.state.message } : {}),
        },
      };
      break;
    case 'running':
      state = { running: { startedAt: formatTime(c.state.startedAt) } };
      break;
    case 'terminated':
      state = { terminated: terminatedStatus(c.state.info) };
      break;
  }
  const status: Record<string, unknown> = {
    ...(c.containerId ? { containerID: c.containerId } : {}),
    image: c.imageKnown ? c.image : (c.spec.image ?? ''),
    imageID: c.imageKnown ? c.imageId : '',
    lastState: c.lastTerminated ? { terminated: terminatedStatus(c.lastTerminated) } : {},
    name: c.name,
    ready: c.ready,
    restartCount: c.restartCount,
    started: c.started,
    state,
  };
  if (c.created && (c.spec.volumeMounts?.length ?? 0) > 0) {
    status.volumeMounts = (c.spec.volumeMounts ?? []).map((m) => ({
      mountPath: m.mountPath,
      name: m.name,
      ...(m.readOnly ? { readOnly: true, recursiveReadOnly: 'Disabled' } : {}),
    }));
  }
  return status as ContainerStatus;
}
