import type { CloudApiConfig } from '@app/config';
import type { IncomingMessage } from 'node:http';
import type { Options } from 'pino-http';

/** JSON request logs carrying the request id set by requestIdentity. */
export function pinoHttpOptions(config: CloudApiConfig): Options {
  return {
    level: config.logLevel,
    // requestIdentity already chose the id; reuse it rather than minting another.
    genReqId: (req: IncomingMessage) => req.id,
    customProps: () => ({ app: 'cloud-api' }),
    redact: ['req.headers.authorization'],
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
