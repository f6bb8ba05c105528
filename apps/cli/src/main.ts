import 'reflect-metadata';
import { ConfigError } from '@app/config';
import { buildProgram } from './program';

// `nimbus` entry point: bad options or config end the process with one clear message and exit 2.
buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`nimbus: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `nimbus: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
