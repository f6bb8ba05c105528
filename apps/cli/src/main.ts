import 'reflect-metadata';
import { ConfigError } from '@app/config';
import { buildProgram } from './program';

// `nimbus` entry point: bad options or config end the process with one clear message and exit 2.
buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const { address, port } = error as { address?: string; port?: number };
      // Commands name their ports differently (--port, --secure-port, --cloud-port, …).
      const command = process.argv[2] ?? '<command>';
      process.stderr.write(
        `nimbus: cannot listen on ${address}:${port} (${code}); choose another port (nimbus ${command} --help names the port options)\n`,
      );
      process.exit(2);
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`nimbus: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `nimbus: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
