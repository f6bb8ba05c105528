import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { CloudApiConfig } from '@app/config';
import type { IncomingMessage } from 'node:http';
import pino from 'pino';
import type { Options } from 'pino-http';

/**
 * Where logs go: stdout, written asynchronously so a busy server never blocks on the terminal or
 * pipe; flushed on shutdown so nothing logged is lost.
 */
@Injectable()
export class LogDestination implements OnApplicationShutdown {
  readonly stream = pino.destination({ dest: 1, sync: false });

  onApplicationShutdown(): void {
    this.stream.flushSync();
  }
}

/** JSON request logs carrying the request id set by requestIdentity. */
export function pinoHttpOptions(config: CloudApiConfig, destination: LogDestination): Options {
  return {
    logger: pino({ level: config.logLevel, base: { app: 'cloud-api' } }, destination.stream),
    // requestIdentity already chose the id; reuse it rather than minting another.
    genReqId: (req: IncomingMessage) => req.id,
    // Changes at info, successful reads at debug (they would drown the log), failures louder.
    customLogLevel: (req, res, error) => {
      if (error || res.statusCode >= 500) {
        return 'error';
      }
      if (res.statusCode >= 400) {
        return 'warn';
      }
      return req.method === 'GET' || req.method === 'HEAD' ? 'debug' : 'info';
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
