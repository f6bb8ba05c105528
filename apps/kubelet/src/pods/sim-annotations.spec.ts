import { simBehaviourOf } from './sim-annotations';

describe('sim.nimbus.dev annotations', () => {
  it('reads every knob', () => {
    expect(
      simBehaviourOf({
        'sim.nimbus.dev/start-failure': 'CrashLoopBackOff',
        'sim.nimbus.dev/never-ready': 'true',
        'sim.nimbus.dev/unready-after': '30s',
        'sim.nimbus.dev/liveness-fail-after': '1m',
        'sim.nimbus.dev/exit-after': '1m30s',
        'sim.nimbus.dev/exit-code': '42',
        'sim.nimbus.dev/pull-duration': '2s',
        'sim.nimbus.dev/ignore-sigterm': 'true',
        'sim.nimbus.dev/serve': 'echo',
      }),
    ).toEqual({
      serve: 'echo',
      startFailure: 'CrashLoopBackOff',
      neverReady: true,
      unreadyAfterMs: 30_000,
      livenessFailAfterMs: 60_000,
      exitAfterMs: 90_000,
      exitCode: 42,
      pullDurationMs: 2000,
      ignoreSigterm: true,
      problems: [],
    });
  });

  it('names every unusable value and ignores it', () => {
    const b = simBehaviourOf({
      'sim.nimbus.dev/start-failure': 'Explode',
      'sim.nimbus.dev/exit-after': 'soon',
      'sim.nimbus.dev/exit-code': '300',
      'sim.nimbus.dev/never-ready': 'yes',
      'sim.nimbus.dev/serve': 'smtp',
    });
    expect(b.serve).toBe('auto');
    expect(b.startFailure).toBeUndefined();
    expect(b.exitAfterMs).toBeUndefined();
    expect(b.exitCode).toBe(0);
    expect([...b.problems].sort()).toEqual([
      'sim.nimbus.dev/exit-after: "soon" is not a duration (e.g. 30s, 2m)',
      'sim.nimbus.dev/exit-code: "300" must be an integer 0–255',
      'sim.nimbus.dev/never-ready: "yes" must be "true" or "false"',
      'sim.nimbus.dev/serve: "smtp" must be one of auto, http, echo, none',
      'sim.nimbus.dev/start-failure: "Explode" must be ErrImagePull or CrashLoopBackOff',
    ]);
  });

  it("picks an Indexed Job pod's exit code by its completion index", () => {
    const annotations = (index: string) => ({
      'batch.kubernetes.io/job-completion-index': index,
      'sim.nimbus.dev/exit-code': '1',
      'sim.nimbus.dev/exit-code-by-index': '0=0, 2=42',
    });
    expect(simBehaviourOf(annotations('0'), { ownedByJob: true }).exitCode).toBe(0);
    expect(simBehaviourOf(annotations('1'), { ownedByJob: true }).exitCode).toBe(1);
    expect(simBehaviourOf(annotations('2'), { ownedByJob: true }).exitCode).toBe(42);
    expect(simBehaviourOf({ 'sim.nimbus.dev/exit-code-by-index': '2:42' }).problems).toEqual([
      'sim.nimbus.dev/exit-code-by-index: "2:42" must be index=code pairs like "1=3,4=42"',
    ]);
  });
});
