/**
 * Keeps a component running until SIGINT/SIGTERM (a second one forces the exit), then closes it
 * and exits 0 — or exits with `exited`'s code when the component ends on its own (a controller
 * manager that lost its lease exits 1, as upstream).
 */
export async function runUntilSignal(component: {
  close(): Promise<void>;
  exited?: Promise<number>;
}): Promise<never> {
  const signalled = new Promise<number>((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) {
        process.exit(130);
      }
      received = true;
      process.stderr.write(`\nnimbus: ${signal} received, shutting down\n`);
      component.close().then(
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
  await component.close();
  process.exit(code);
}
