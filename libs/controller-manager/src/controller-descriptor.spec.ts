import type { Logger } from '@app/controller-runtime';
import { runControllers, type ControllerDescriptor } from './controller-descriptor';

describe('runControllers', () => {
  const recordingLogger = () => {
    const lines: { level: string; fields: object; message: string }[] = [];
    const at =
      (level: string) =>
      (fields: object, message: string): void => {
        lines.push({ level, fields, message });
      };
    const logger: Logger = {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
    };
    return { logger, lines };
  };

  it('starts what inits and logs each skipped controller at the level it asks (warn by default)', async () => {
    const { logger, lines } = recordingLogger();
    const started: string[] = [];
    const descriptors: ControllerDescriptor<unknown, never>[] = [
      { name: 'misconfigured', init: () => ({ skipped: '--flag is missing' }) },
      { name: 'opt-in', init: () => ({ skipped: '--opt-in is false', level: 'info' }) },
      {
        name: 'runs',
        init: () => ({
          start: () => {
            started.push('runs');
            return Promise.resolve({ stop: () => Promise.resolve() });
          },
        }),
      },
    ];
    const set = await runControllers(
      descriptors,
      {},
      {
        logger,
        startInformers: () => Promise.resolve(),
        stopInformers: () => Promise.resolve(),
      },
      new AbortController().signal,
    );
    await set.stop();

    expect(started).toEqual(['runs']);
    const skipped = lines.filter((l) => l.message === 'Skipping controller');
    expect(skipped.map((l) => [l.level, l.fields])).toEqual([
      ['warn', { controller: 'misconfigured', reason: '--flag is missing' }],
      ['info', { controller: 'opt-in', reason: '--opt-in is false' }],
    ]);
  });
});
