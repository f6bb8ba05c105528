/** A started component as `nimbus up` holds it: `exited` resolves 1 when it lost its Lease. */
export interface SupervisedComponent {
  close(): Promise<void>;
  exited?: Promise<number>;
}

export interface RestartOptions {
  /** For logs: `kube-controller-manager`. */
  name: string;
  /** Starts a fresh instance (the step's start). */
  start(): Promise<SupervisedComponent>;
  /** True once `nimbus up` is closing: nothing is restarted then. */
  closing(): boolean;
  log: {
    error(fields: object, message: string): void;
    warn(fields: object, message: string): void;
  };
  /** Tests shorten these; default the kubelet's back-off and EXITED_CLOSE_BOUND_MS. */
  timing?: { backoffInitialMs: number; backoffMaxMs: number; closeBoundMs: number };
}

/**
 * The kubelet's CrashLoopBackOff for a static pod that keeps failing to start (10 s, doubling, at
 * most 5 min: pkg/kubelet/kubelet.go `backOffPeriod`/`MaxContainerBackOff`). The first restart
 * after an exit is immediate: a component that lost its Lease is healthy and should lead again.
 */
export const RESTART_BACKOFF_INITIAL_MS = 10_000;
export const RESTART_BACKOFF_MAX_MS = 300_000;
/**
 * How long a restart waits for what is left of the exited instance to close. Its work was told to
 * stop when the lease went; a close stuck behind a saturated api-server must not keep the cluster
 * without its controllers (upstream's process is simply gone).
 */
export const EXITED_CLOSE_BOUND_MS = 30_000;

/**
 * A control-plane component that lost its Lease exits, as upstream's does (`exited` resolves 1);
 * the kubelet would restart its static pod, so `nimbus up` starts it again, after closing what is
 * left of it, and keeps trying with back-off if the new start fails, instead of leaving the
 * cluster without a scheduler or controllers. `close()` stops whichever instance is current.
 */
export function restartedOnExit(
  first: SupervisedComponent,
  options: RestartOptions,
): { close(): Promise<void> } {
  const timing = options.timing ?? {
    backoffInitialMs: RESTART_BACKOFF_INITIAL_MS,
    backoffMaxMs: RESTART_BACKOFF_MAX_MS,
    closeBoundMs: EXITED_CLOSE_BOUND_MS,
  };
  // Aborted by close(): no wait below outlives `nimbus up`.
  const stopped = new AbortController();
  const closing = () => stopped.signal.aborted || options.closing();
  let current = first;
  let restarting: Promise<void> | undefined;

  const restart = async (exited: SupervisedComponent) => {
    options.log.error({ component: options.name }, 'component exited; restarting it');
    const closed = exited
      .close()
      .catch((err: unknown) =>
        options.log.warn({ component: options.name, err }, 'closing the exited instance failed'),
      );
    const closeWait = new AbortController();
    const endWait = () => closeWait.abort();
    stopped.signal.addEventListener('abort', endWait, { once: true });
    await Promise.race([closed, pause(timing.closeBoundMs, closeWait.signal)]);
    endWait();
    stopped.signal.removeEventListener('abort', endWait);
    for (let backoff = timing.backoffInitialMs; !closing();) {
      try {
        const next = await options.start();
        if (closing()) {
          await next.close();
          return;
        }
        current = next;
        watch(next);
        return;
      } catch (err) {
        options.log.error(
          { component: options.name, err, retryInMs: backoff },
          'restart failed; retrying',
        );
        await pause(backoff, stopped.signal);
        backoff = Math.min(backoff * 2, timing.backoffMaxMs);
      }
    }
  };

  const watch = (component: SupervisedComponent) => {
    void component.exited?.then((code) => {
      if (code === 0 || closing()) {
        return;
      }
      restarting = restart(component);
    });
  };
  watch(first);

  return {
    close: async () => {
      stopped.abort();
      await restarting;
      await current.close();
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts (its timer cleared either way). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
