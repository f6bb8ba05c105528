import { formatGoDuration } from '@app/common';
import { formatTime } from '@app/controller-runtime';
import type { Container, PodObject, Probe } from '@app/kube-client';
import type { Backoff } from './backoff';
import {
  containerStatusOf,
  newContainer,
  newContainerId,
  probeTimings,
  type ProbeState,
  type SimContainer,
  type TerminatedInfo,
} from './container-state';
import { imageSizeBytes } from './images';
import { probeFailureMessage } from './probe-messages';
import { qosClassOf } from './pod-resources';
import { kubeletConditions, podPhaseOf, withTimes, type PodPhase } from './pod-status';
import { simBehaviourOf, type ServeMode, type SimBehaviour } from './sim-annotations';

/** An event the kubelet records about the pod (`fieldPath` names the container). */
export interface SimEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  fieldPath?: string;
}

/** What a pod simulation needs from its node. */
export interface PodSimEnv {
  /** The next pod IP of the node, or undefined (no pod CIDR yet, or the range is full). */
  allocateIp(): string | undefined;
  releaseIp(ip: string): void;
  /** The node's first InternalIP (the instance's private IP until the CCM set addresses). */
  hostIp(): string | undefined;
  imagePresent(image: string): boolean;
  imagePulled(image: string, sizeBytes: number): void;
  imagePullMs: number;
  containerStopMs: number;
  backoff: Backoff;
  /** The pod's claims on this node (bound, attached) — WaitForAttachAndMount's check. */
  volumes(pod: PodObject): { ready: boolean; unmounted: string[]; unattached: string[] };
}

export interface AdvanceResult {
  events: SimEvent[];
  /** The next instant something is due (undefined: nothing until the pod or node changes). */
  nextAt?: number;
}

/** How long a crashing container (`start-failure: CrashLoopBackOff`) runs before it exits. */
const CRASH_AFTER_MS = 1000;
/** upstream podAttachAndMountTimeout (2m3s): how long the kubelet waits before FailedMount. */
export const ATTACH_AND_MOUNT_TIMEOUT_MS = 123_000;
/** How long ErrImagePull shows before the kubelet reports ImagePullBackOff. */
const PULL_ERROR_VISIBLE_MS = 1000;

/**
 * One pod on a simulated node, as the kubelet's pod worker, container runtime and prober would
 * drive it (cluster-simulation.md §2.5–2.6): admission, sandbox and pod IP, init containers in
 * order, image pulls, container starts, probes, exits with restart policy and back-off, graceful
 * termination. Pure state: `advance(pod, now)` moves it to `now` and answers the events it
 * caused; `status(pod, now)` renders the kubelet-owned part of the pod status.
 */
export class PodSim {
  private readonly init: SimContainer[];
  private readonly containers: SimContainer[];
  private behaviour: SimBehaviour;
  private startTime?: number;
  private podIp?: string;
  /** The pod IP is reserved in the node's allocator (released with the sandbox). */
  private ipHeld = false;
  private sandboxReady = false;
  /** The pod's volumes are attached and mounted (it got past WaitForAttachAndMount). */
  private volumesMounted = false;
  /** Since when the current wait for the volumes runs (FailedMount after the timeout). */
  private mountWaitSince?: number;
  private rejected?: { reason: string; message: string };
  private terminalPhase?: PodPhase;
  /** Deletion: containers were told to stop; they are gone at `stopAt`. */
  private stopping?: { stopAt: number; exitCode: number };
  private readonly conditionTimes = new Map<
    string,
    { status: string; lastTransitionTime: string }
  >();

  constructor(
    pod: PodObject,
    private readonly env: PodSimEnv,
  ) {
    this.behaviour = simBehaviourOf(pod.metadata?.annotations, { ownedByJob: ownedByJob(pod) });
    this.init = (pod.spec?.initContainers ?? []).map((c) => newContainer(c, true));
    this.containers = (pod.spec?.containers ?? []).map((c) => newContainer(c, false));
  }

  /** Annotation values that could not be used (the caller logs them). */
  get problems(): readonly string[] {
    return this.behaviour.problems;
  }

  get ip(): string | undefined {
    return this.podIp;
  }

  /**
   * What the pod's responder should serve now: its IP (while the sandbox exists) and the
   * containers that are running (and so answer on their declared ports).
   */
  serving(): {
    ip: string | undefined;
    hostNetwork: boolean;
    running: Container[];
    mode: ServeMode;
  } {
    const up = this.sandboxReady && !this.terminalPhase;
    return {
      mode: this.behaviour.serve,
      ip: up ? this.podIp : undefined,
      hostNetwork: this.sandboxIsHost,
      running: up
        ? this.containers.filter((c) => c.state.kind === 'running').map((c) => c.spec)
        : [],
    };
  }

  /** The pod reached Succeeded/Failed (and keeps it). */
  get terminal(): boolean {
    return this.terminalPhase !== undefined;
  }

  /** Deletion finished on the node: the terminal status can be written and the pod deleted. */
  get readyForDelete(): boolean {
    return this.stopping !== undefined && this.terminalPhase !== undefined;
  }

  /** Refuses the pod at admission (phase Failed, with reason and message). */
  reject(reason: string, message: string, now: number): void {
    this.rejected = { reason, message };
    this.startTime ??= now;
    this.terminalPhase = 'Failed';
  }

  /**
   * Takes over a pod that already has a status (the kubelet restarted): running containers keep
   * running. With `bootedAt` (the node rebooted) every container died then and restarts.
   */
  adopt(pod: PodObject, bootedAt?: number): void {
    const status = pod.status;
    if (!status?.startTime) {
      return;
    }
    this.startTime = Date.parse(status.startTime);
    // A pod that got a sandbox had its volumes mounted.
    this.volumesMounted = !!status.podIP;
    for (const c of status.conditions ?? []) {
      if (c.lastTransitionTime) {
        this.conditionTimes.set(c.type, {
          status: c.status,
          lastTransitionTime: c.lastTransitionTime,
        });
      }
    }
    if (status.phase === 'Succeeded' || status.phase === 'Failed') {
      this.terminalPhase = status.phase;
    }
    const byName = new Map(
      [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].map((s) => [
        s.name,
        s,
      ]),
    );
    for (const c of [...this.init, ...this.containers]) {
      const s = byName.get(c.name);
      if (!s) {
        continue;
      }
      c.restartCount = s.restartCount ?? 0;
      c.containerId = s.containerID;
      c.imageKnown = !!s.imageID;
      c.created = !!s.containerID;
      c.begun = c.created;
      const running = s.state?.running?.startedAt;
      const terminated = s.state?.terminated;
      if (running && s.containerID) {
        c.state = { kind: 'running', startedAt: Date.parse(running) };
        c.started = s.started ?? true;
        c.ready = s.ready;
        this.scheduleRunning(c, Date.parse(running));
      } else if (terminated && s.containerID) {
        c.state = {
          kind: 'terminated',
          info: {
            exitCode: terminated.exitCode,
            reason: terminated.reason ?? '',
            startedAt: Date.parse(terminated.startedAt ?? ''),
            finishedAt: Date.parse(terminated.finishedAt ?? ''),
            containerId: s.containerID,
          },
        };
        c.ready = c.init && terminated.exitCode === 0;
      }
    }
    this.podIp = status.podIP;
    if (status.podIP && !this.terminalPhase) {
      this.sandboxReady = true;
      this.sandboxIsHost = pod.spec?.hostNetwork === true;
      // The caller reserved the IP in the node's allocator before adopting.
      this.ipHeld = !this.sandboxIsHost;
    }
    if (bootedAt !== undefined && !this.terminalPhase) {
      this.rebooted(bootedAt);
    }
  }

  /** The node rebooted: every container died at boot; the sandbox (and IP) is recreated. */
  private rebooted(bootedAt: number): void {
    this.sandboxReady = false;
    this.releaseIp();
    for (const c of [...this.init, ...this.containers]) {
      if (c.state.kind === 'running' && c.containerId) {
        c.lastTerminated = {
          exitCode: 255,
          reason: 'Unknown',
          startedAt: c.state.startedAt,
          finishedAt: bootedAt,
          containerId: c.containerId,
        };
        c.restartCount++;
        c.state = { kind: 'waiting', reason: 'ContainerCreating' };
        c.ready = false;
        c.started = false;
        c.begun = false;
        clearSteps(c);
      }
    }
  }

  /** Releases what the pod holds on the node (its IP). */
  dispose(): void {
    this.releaseIp();
  }

  private releaseIp(): void {
    if (this.ipHeld && this.podIp) {
      this.env.releaseIp(this.podIp);
    }
    this.ipHeld = false;
  }

  private sandboxIsHost = false;

  advance(pod: PodObject, now: number): AdvanceResult {
    const events: SimEvent[] = [];
    this.behaviour = simBehaviourOf(pod.metadata?.annotations, { ownedByJob: ownedByJob(pod) });
    if (pod.metadata?.deletionTimestamp) {
      this.startTime ??= now;
      return this.advanceDeletion(pod, now, events);
    }
    if (this.rejected || this.terminalPhase) {
      return { events };
    }
    this.startTime ??= now;
    if (!this.volumesMounted) {
      const waiting = this.waitForAttachAndMount(pod, now, events);
      if (waiting) {
        return waiting;
      }
    }
    if (!this.sandboxReady) {
      if (!this.createSandbox(pod)) {
        return { events };
      }
    }
    // Init containers run one after the other; the regular ones once all of them succeeded.
    for (const c of this.init) {
      if (c.state.kind === 'terminated' && c.state.info.exitCode === 0) {
        continue;
      }
      this.advanceContainer(pod, c, now, events);
      if (!(c.state.kind === 'terminated' && c.state.info.exitCode === 0)) {
        return this.finish(pod, events);
      }
    }
    for (const c of this.containers) {
      this.advanceContainer(pod, c, now, events);
    }
    return this.finish(pod, events);
  }

  private finish(pod: PodObject, events: SimEvent[]): AdvanceResult {
    const phase = this.phase(pod);
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.terminalPhase = phase;
      this.killSandbox();
    }
    return { events, nextAt: this.nextDue() };
  }

  /** The pod's volumes got mounted (claims it uses may now be expanded on the node). */
  get mounted(): boolean {
    return this.volumesMounted && !this.terminalPhase;
  }

  /**
   * WaitForAttachAndMount before the sandbox: the pod stays ContainerCreating until its claims
   * are bound and attached; every 2m3s without that, `FailedMount` as the kubelet records it.
   * Answers undefined once the volumes are there.
   */
  private waitForAttachAndMount(
    pod: PodObject,
    now: number,
    events: SimEvent[],
  ): AdvanceResult | undefined {
    const state = this.env.volumes(pod);
    if (state.ready) {
      this.volumesMounted = true;
      this.mountWaitSince = undefined;
      return undefined;
    }
    this.mountWaitSince ??= now;
    if (now - this.mountWaitSince >= ATTACH_AND_MOUNT_TIMEOUT_MS) {
      events.push({
        type: 'Warning',
        reason: 'FailedMount',
        message: `Unable to attach or mount volumes: unmounted volumes=[${state.unmounted.join(' ')}], unattached volumes=[${state.unattached.join(' ')}], failed to process volumes=[]: timed out waiting for the condition`,
      });
      this.mountWaitSince = now;
    }
    return { events, nextAt: this.mountWaitSince + ATTACH_AND_MOUNT_TIMEOUT_MS };
  }

  private createSandbox(pod: PodObject): boolean {
    if (pod.spec?.hostNetwork) {
      const host = this.env.hostIp();
      if (!host) {
        return false;
      }
      this.podIp = host;
      this.sandboxIsHost = true;
      this.sandboxReady = true;
      return true;
    }
    const ip = this.ipHeld && this.podIp ? this.podIp : this.env.allocateIp();
    if (!ip) {
      return false;
    }
    this.podIp = ip;
    this.ipHeld = true;
    this.sandboxReady = true;
    return true;
  }

  private killSandbox(): void {
    this.sandboxReady = false;
    this.releaseIp();
  }

  private phase(pod: PodObject): PodPhase {
    if (this.terminalPhase) {
      return this.terminalPhase;
    }
    return podPhaseOf(
      pod.spec?.restartPolicy ?? 'Always',
      this.init,
      this.containers,
      this.stopping !== undefined,
    );
  }

  // --- one container -------------------------------------------------------------------

  private advanceContainer(pod: PodObject, c: SimContainer, now: number, events: SimEvent[]): void {
    // Each pass handles the earliest due step; a step may schedule more, so loop until none is due.
    for (let guard = 0; guard < 1000; guard++) {
      if (!c.begun) {
        c.begun = true;
        this.beginPull(pod, c, now, events);
        continue;
      }
      const due = stepsOf(c)
        .filter(([, at]) => at <= now)
        .sort((a, b) => a[1] - b[1])[0];
      if (!due) {
        return;
      }
      const [step, at] = due;
      switch (step) {
        case 'pullDoneAt':
          c.pullDoneAt = undefined;
          this.pullFinished(pod, c, at, events);
          break;
        case 'pullBackOffAt':
          c.pullBackOffAt = undefined;
          c.state = {
            kind: 'waiting',
            reason: 'ImagePullBackOff',
            message: `Back-off pulling image "${c.spec.image ?? ''}"`,
          };
          events.push(
            ev('Normal', 'BackOff', `Back-off pulling image "${c.spec.image ?? ''}"`, c),
            ev('Warning', 'Failed', 'Error: ImagePullBackOff', c),
          );
          break;
        case 'pullRetryAt':
          c.pullRetryAt = undefined;
          this.beginPull(pod, c, at, events);
          break;
        case 'restartAt':
          c.restartAt = undefined;
          this.env.backoff.next(backoffKey(pod, c), c.lastTerminated?.finishedAt ?? at);
          c.restartCount++;
          this.beginPull(pod, c, at, events);
          break;
        case 'exitAt': {
          const code = c.exitCode ?? 0;
          c.exitAt = undefined;
          this.exited(pod, c, at, code, code === 0 ? 'Completed' : 'Error', events);
          break;
        }
        case 'unreadyAt':
          c.unreadyAt = undefined;
          if (!c.spec.readinessProbe) {
            c.ready = false;
          }
          break;
        case 'startupAt':
          c.startup.nextAt = undefined;
          c.started = true;
          this.scheduleProbesAfterStartup(c, at);
          break;
        case 'readinessAt':
          this.probeReadiness(pod, c, at, events);
          break;
        case 'livenessAt':
          this.probeLiveness(pod, c, at, events);
          break;
      }
    }
  }

  /** Pulling (or not) the image before a container (re)starts. */
  private beginPull(pod: PodObject, c: SimContainer, at: number, events: SimEvent[]): void {
    const image = c.spec.image ?? '';
    // The api-server defaults it (Always for :latest or no tag, else IfNotPresent).
    const policy = c.spec.imagePullPolicy ?? 'IfNotPresent';
    const present = this.env.imagePresent(c.image);
    if (this.behaviour.startFailure === 'ErrImagePull' || policy === 'Always' || !present) {
      if (policy === 'Never' && !present) {
        c.state = {
          kind: 'waiting',
          reason: 'ErrImageNeverPull',
          message: `Container image "${image}" is not present with pull policy of Never`,
        };
        events.push(ev('Warning', 'ErrImageNeverPull', c.state.message ?? '', c));
        return;
      }
      events.push(ev('Normal', 'Pulling', `Pulling image "${image}"`, c));
      c.pullDoneAt = at + (this.behaviour.pullDurationMs ?? this.env.imagePullMs);
      return;
    }
    events.push(ev('Normal', 'Pulled', `Container image "${image}" already present on machine`, c));
    this.startContainer(pod, c, at, events);
  }

  private pullFinished(pod: PodObject, c: SimContainer, at: number, events: SimEvent[]): void {
    const image = c.spec.image ?? '';
    if (this.behaviour.startFailure === 'ErrImagePull') {
      const detail = `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": ${c.image}: not found`;
      const message = `Failed to pull image "${image}": ${detail}`;
      c.state = { kind: 'waiting', reason: 'ErrImagePull', message: detail };
      events.push(
        ev('Warning', 'Failed', message, c),
        ev('Warning', 'Failed', 'Error: ErrImagePull', c),
      );
      const wait = this.env.backoff.next(`pull:${backoffKey(pod, c)}`, at);
      c.pullBackOffAt = at + PULL_ERROR_VISIBLE_MS;
      c.pullRetryAt = at + Math.max(wait, PULL_ERROR_VISIBLE_MS + 1);
      return;
    }
    const pulledIn = formatGoDuration(
      Math.round((this.behaviour.pullDurationMs ?? this.env.imagePullMs) * 1e6),
    );
    const size = imageSizeBytes(c.image);
    this.env.imagePulled(c.image, size);
    events.push(
      ev(
        'Normal',
        'Pulled',
        `Successfully pulled image "${image}" in ${pulledIn} (${pulledIn} including waiting). Image size: ${size} bytes.`,
        c,
      ),
    );
    this.startContainer(pod, c, at, events);
  }

  private startContainer(pod: PodObject, c: SimContainer, at: number, events: SimEvent[]): void {
    c.imageKnown = true;
    c.created = true;
    c.containerId = newContainerId();
    events.push(
      ev('Normal', 'Created', `Created container ${c.name}`, c),
      ev('Normal', 'Started', `Started container ${c.name}`, c),
    );
    c.state = { kind: 'running', startedAt: at };
    this.scheduleRunning(c, at);
  }

  /** Steps of a running container: its exit, probes and readiness changes. */
  private scheduleRunning(c: SimContainer, startedAt: number): void {
    const b = this.behaviour;
    if (c.init) {
      // Init containers do their work and exit 0 (unless told to crash).
      c.exitAt = startedAt + (b.startFailure === 'CrashLoopBackOff' ? CRASH_AFTER_MS : 0);
      c.exitCode = b.startFailure === 'CrashLoopBackOff' ? 1 : 0;
      return;
    }
    if (b.startFailure === 'CrashLoopBackOff') {
      c.exitAt = startedAt + CRASH_AFTER_MS;
      c.exitCode = 1;
    } else if (b.exitAfterMs !== undefined) {
      c.exitAt = startedAt + b.exitAfterMs;
      c.exitCode = b.exitCode;
    }
    c.readiness = { successes: 0, failures: 0 };
    c.liveness = { successes: 0, failures: 0 };
    if (c.spec.startupProbe) {
      c.started = false;
      c.startup = {
        successes: 0,
        failures: 0,
        nextAt: startedAt + probeTimings(c.spec.startupProbe).initialDelayMs,
      };
    } else {
      c.started = true;
      this.scheduleProbesAfterStartup(c, startedAt);
    }
    if (b.unreadyAfterMs !== undefined) {
      c.unreadyAt = startedAt + b.unreadyAfterMs;
    }
  }

  private scheduleProbesAfterStartup(c: SimContainer, at: number): void {
    const startedAt = c.state.kind === 'running' ? c.state.startedAt : at;
    if (c.spec.readinessProbe) {
      c.ready = false;
      const delay = probeTimings(c.spec.readinessProbe).initialDelayMs;
      c.readiness.nextAt = Math.max(at, startedAt + delay);
    } else {
      c.ready = !this.behaviour.neverReady && !(c.unreadyAt !== undefined && c.unreadyAt <= at);
    }
    if (c.spec.livenessProbe) {
      const delay = probeTimings(c.spec.livenessProbe).initialDelayMs;
      c.liveness.nextAt = Math.max(at, startedAt + delay);
    }
  }

  private probeReadiness(pod: PodObject, c: SimContainer, at: number, events: SimEvent[]): void {
    const probe = c.spec.readinessProbe as Probe;
    const t = probeTimings(probe);
    const startedAt = c.state.kind === 'running' ? c.state.startedAt : at;
    const unready = this.behaviour.unreadyAfterMs;
    const ok = !this.behaviour.neverReady && !(unready !== undefined && at >= startedAt + unready);
    this.recordProbe(c.readiness, ok, t);
    if (ok && c.readiness.successes >= t.successThreshold) {
      c.ready = true;
    }
    if (!ok) {
      events.push(
        ev(
          'Warning',
          'Unhealthy',
          `Readiness probe failed: ${probeFailureMessage(probe, this.podIp)}`,
          c,
        ),
      );
      if (c.readiness.failures >= t.failureThreshold) {
        c.ready = false;
      }
    }
    c.readiness.nextAt = at + t.periodMs;
    void pod;
  }

  private probeLiveness(pod: PodObject, c: SimContainer, at: number, events: SimEvent[]): void {
    const probe = c.spec.livenessProbe as Probe;
    const t = probeTimings(probe);
    const startedAt = c.state.kind === 'running' ? c.state.startedAt : at;
    const failAfter = this.behaviour.livenessFailAfterMs;
    const ok = !(failAfter !== undefined && at >= startedAt + failAfter);
    this.recordProbe(c.liveness, ok, t);
    c.liveness.nextAt = at + t.periodMs;
    if (ok) {
      return;
    }
    events.push(
      ev(
        'Warning',
        'Unhealthy',
        `Liveness probe failed: ${probeFailureMessage(probe, this.podIp)}`,
        c,
      ),
    );
    if (c.liveness.failures >= t.failureThreshold) {
      events.push(
        ev('Normal', 'Killing', `Container ${c.name} failed liveness probe, will be restarted`, c),
      );
      this.exited(pod, c, at, 137, 'Error', events);
    }
  }

  private recordProbe(state: ProbeState, ok: boolean, _t: ReturnType<typeof probeTimings>): void {
    if (ok) {
      state.successes++;
      state.failures = 0;
    } else {
      state.failures++;
      state.successes = 0;
    }
  }

  /** A container stopped: restart it (now or after back-off) as the restart policy says. */
  private exited(
    pod: PodObject,
    c: SimContainer,
    at: number,
    exitCode: number,
    reason: string,
    events: SimEvent[],
  ): void {
    if (c.state.kind !== 'running') {
      return;
    }
    const info: TerminatedInfo = {
      exitCode,
      reason,
      startedAt: c.state.startedAt,
      finishedAt: at,
      containerId: c.containerId ?? newContainerId(),
    };
    clearSteps(c);
    c.state = { kind: 'terminated', info };
    c.ready = c.init && exitCode === 0;
    c.started = false;
    const policy = pod.spec?.restartPolicy ?? 'Always';
    const restart = c.init
      ? exitCode !== 0 && policy !== 'Never'
      : policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
    if (!restart) {
      return;
    }
    const key = backoffKey(pod, c);
    c.lastTerminated = info;
    if (this.env.backoff.isInBackOffSince(key, at, at)) {
      const waitMs = this.env.backoff.get(key);
      const podRef = `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
      c.state = {
        kind: 'waiting',
        reason: 'CrashLoopBackOff',
        message: `back-off ${formatGoDuration(waitMs * 1e6)} restarting failed container=${c.name} pod=${podRef}`,
      };
      events.push(
        ev(
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${c.name} in pod ${podRef}`,
          c,
        ),
      );
      c.restartAt = this.env.backoff.endsAt(key, at);
      return;
    }
    // Not in back-off: restart now, and start the back-off for the next crash.
    c.restartAt = at;
  }

  // --- deletion ------------------------------------------------------------------------

  private advanceDeletion(pod: PodObject, now: number, events: SimEvent[]): AdvanceResult {
    if (!this.stopping) {
      const graceMs = (pod.metadata?.deletionGracePeriodSeconds ?? 0) * 1000;
      const ignore = this.behaviour.ignoreSigterm;
      const stopMs = ignore ? graceMs : Math.min(this.env.containerStopMs, graceMs);
      for (const c of [...this.init, ...this.containers]) {
        clearSteps(c);
        if (c.state.kind === 'running') {
          events.push(ev('Normal', 'Killing', `Stopping container ${c.name}`, c));
        }
      }
      this.stopping = { stopAt: now + stopMs, exitCode: ignore ? 137 : 0 };
    }
    if (now < this.stopping.stopAt) {
      return { events, nextAt: this.stopping.stopAt };
    }
    if (!this.terminalPhase) {
      const at = this.stopping.stopAt;
      for (const c of [...this.init, ...this.containers]) {
        if (c.state.kind === 'running') {
          const code = this.stopping.exitCode;
          c.state = {
            kind: 'terminated',
            info: {
              exitCode: code,
              reason: code === 0 ? 'Completed' : 'Error',
              startedAt: c.state.startedAt,
              finishedAt: at,
              containerId: c.containerId ?? newContainerId(),
            },
          };
          c.ready = false;
          c.started = false;
        }
      }
      this.terminalPhase = podPhaseOf(
        pod.spec?.restartPolicy ?? 'Always',
        this.init,
        this.containers,
        true,
      );
      this.killSandbox();
    }
    return { events };
  }

  // --- status --------------------------------------------------------------------------

  /** The kubelet-owned pod status fields (what it PATCHes to `pods/<name>/status`). */
  status(pod: PodObject, now: number): Record<string, unknown> {
    const phase = this.phase(pod);
    const own = kubeletConditions({
      pod,
      phase,
      sandboxReady: this.sandboxReady,
      init: this.init,
      containers: this.containers,
    });
    const conditions = withTimes(pod, own, this.conditionTimes, formatTime(now));
    for (const c of conditions) {
      this.conditionTimes.set(c.type, {
        status: c.status,
        lastTransitionTime: c.lastTransitionTime ?? formatTime(now),
      });
    }
    const hostIp = this.env.hostIp();
    const status: Record<string, unknown> = {
      phase,
      conditions,
      message: this.rejected?.message ?? null,
      reason: this.rejected?.reason ?? null,
      hostIP: hostIp ?? null,
      hostIPs: hostIp ? [{ ip: hostIp }] : null,
      podIP: this.podIp ?? null,
      podIPs: this.podIp ? [{ ip: this.podIp }] : null,
      startTime: this.startTime !== undefined ? formatTime(this.startTime) : null,
      initContainerStatuses:
        this.init.length > 0 && !this.rejected ? this.init.map(containerStatusOf) : null,
      containerStatuses: this.rejected
        ? null
        : [...this.containers].sort((a, b) => a.name.localeCompare(b.name)).map(containerStatusOf),
      qosClass: qosClassOf(pod),
    };
    return status;
  }

  /** Whether the containers of the spec still match (a pod update may change images). */
  matches(pod: PodObject): boolean {
    const names = (list: readonly Container[] | undefined) =>
      (list ?? []).map((c) => c.name).join(',');
    return (
      names(pod.spec?.containers) === this.containers.map((c) => c.name).join(',') &&
      names(pod.spec?.initContainers) === this.init.map((c) => c.name).join(',')
    );
  }

  private nextDue(): number | undefined {
    let next: number | undefined;
    for (const c of [...this.init, ...this.containers]) {
      for (const [, at] of stepsOf(c)) {
        next = next === undefined ? at : Math.min(next, at);
      }
    }
    return next;
  }
}

type Step =
  | 'pullDoneAt'
  | 'pullBackOffAt'
  | 'pullRetryAt'
  | 'restartAt'
  | 'exitAt'
  | 'unreadyAt'
  | 'startupAt'
  | 'readinessAt'
  | 'livenessAt';

function stepsOf(c: SimContainer): [Step, number][] {
  const steps: [Step, number | undefined][] = [
    ['pullDoneAt', c.pullDoneAt],
    ['pullBackOffAt', c.pullBackOffAt],
    ['pullRetryAt', c.pullRetryAt],
    ['restartAt', c.restartAt],
    ['exitAt', c.exitAt],
    ['unreadyAt', c.unreadyAt],
    ['startupAt', c.startup.nextAt],
    ['readinessAt', c.readiness.nextAt],
    ['livenessAt', c.liveness.nextAt],
  ];
  return steps.filter((s): s is [Step, number] => s[1] !== undefined);
}

function clearSteps(c: SimContainer): void {
  c.pullDoneAt = undefined;
  c.pullBackOffAt = undefined;
  c.pullRetryAt = undefined;
  c.restartAt = undefined;
  c.exitAt = undefined;
  c.unreadyAt = undefined;
  c.startup.nextAt = undefined;
  c.readiness.nextAt = undefined;
  c.liveness.nextAt = undefined;
}

function backoffKey(pod: PodObject, c: SimContainer): string {
  return `${pod.metadata?.uid ?? ''}/${c.name}`;
}

function ev(type: SimEvent['type'], reason: string, message: string, c: SimContainer): SimEvent {
  return {
    type,
    reason,
    message,
    fieldPath: `${c.init ? 'spec.initContainers' : 'spec.containers'}{${c.name}}`,
  };
}

const ownedByJob = (pod: PodObject) =>
  (pod.metadata?.ownerReferences ?? []).some((r) => r.controller && r.kind === 'Job');
