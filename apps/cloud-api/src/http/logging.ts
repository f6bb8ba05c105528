import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CloudApiConfig } from '@app/config';
import type { NextFunction, Request, Response } from 'express';
import pino, { type Level, type Logger } from 'pino';
import { requestIdOf, type NimbusRequest } from '../conventions/request-context';

/**
 * The process's pino logger: JSON to stdout, written asynchronously so a busy server never blocks
 * on the terminal or pipe, flushed on shutdown so nothing logged is lost. Nest's own logs go
 * through it too (nestjs-pino), and so do the request logs below.
 */
@Injectable()
export class AppLogger implements OnApplicationShutdown {
  private readonly stream = pino.destination({ dest: 1, sync: false });
  readonly logger: Logger;

  constructor(config: CloudApiConfig) {
    this.logger = pino({ level: config.logLevel, base: { app: 'cloud-api' } }, this.stream);
  }

  onApplicationShutdown(): void {
    this.stream.flushSync();
  }

  /**
   * One log line per finished request, with the request id. Written here rather than by
   * pino-http, whose per-request child logger and async context cost ~50 µs per call.
   * Changes log at info, successful reads at debug (they would drown the log), failures louder.
   */
  requestLog() {
    const logger = this.logger;
    return (req: Request, res: Response, next: NextFunction) => {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        const level = levelOf(req.method, res.statusCode);
        if (logger.isLevelEnabled(level)) {
          logger[level](
            {
              req: {
                id: requestIdOf(req as NimbusRequest),
                method: req.method,
                url: req.originalUrl,
              },
              res: { statusCode: res.statusCode },
              responseTime: Number(process.hrtime.bigint() - started) / 1e6,
            },
            'request completed',
          );
        }
      });
      next();
    };
  }
}

function levelOf(method: string, status: number): Level {
  if (status >= 500) {
    return 'error';
  }
  if (status >= 400) {
    return 'warn';
  }
  return method === 'GET' || method === 'HEAD' ? 'debug' : 'info';
}
