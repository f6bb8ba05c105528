/** What the CLI keeps running: `exited` resolves when the component ends on its own. */
export interface RunningUntilSignal {
  close(): Promise<void>;
  exited?: Promise<number>;
}

/**
 * Keeps a component running until SIGINT/SIGTERM (a second one forces the exit), then closes it
 * and exits 0 — or exits with `exited`'s code when the component ends on its own (a controller
 * manager or scheduler that lost its lease exits 1, as upstream).
 */
export async function runUntilSignal(component: RunningUntilSignal): Promise<never> {
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= component.close());
  const signalled = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (closing) {
        process.exit(130);
      }
      process.stderr.write(`\nnimbus: ${signal} received, shutting down\n`);
      close().then(
        () => resolve(0),
        (error: unknown) => {
          process.stderr.write(`nimbus: shutdown failed: ${String(error)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const code = await Promise.race([signalled, component.exited ?? new Promise<never>(() => {})]);
  await close().catch(() => undefined);
  process.exit(code);
}

/** Runs `close` once on SIGINT/SIGTERM, then exits (a second Ctrl-C forces the exit). */
export function closeOnSignals(close: () => Promise<void>): void {
  void runUntilSignal({ close });
}
