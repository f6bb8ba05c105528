import { randomBytes } from 'node:crypto';
import type { NextFunction, Response } from 'express';
import type { NimbusRequest } from '../conventions/request-context';

const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
// A random per-process prefix and a counter: unique across processes, no entropy per request.
const PROCESS_PREFIX = randomBytes(4).toString('hex');
let counter = 0;

/** Every response carries X-Request-Id (the client's, when it sent a sane one) and X-Nimbus-Api. */
export function requestIdentity(req: NimbusRequest, res: Response, next: NextFunction): void {
  const given = req.header('x-request-id');
  const id =
    given && CLIENT_REQUEST_ID.test(given)
      ? given
      : `req-${PROCESS_PREFIX}${(counter++ % 0x100000000).toString(16).padStart(8, '0')}`;
  req.id = id;
  res.setHeader('X-Request-Id', id);
  res.setHeader('X-Nimbus-Api', 'v1');
  next();
}
