import { randomBytes } from 'node:crypto';
import type { NextFunction, Response } from 'express';
import type { NimbusRequest } from '../conventions/request-context';

const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** Every response carries X-Request-Id (the client's, when it sent a sane one) and X-Nimbus-Api. */
export function requestIdentity(req: NimbusRequest, res: Response, next: NextFunction): void {
  const given = req.header('x-request-id');
  const id =
    given && CLIENT_REQUEST_ID.test(given) ? given : `req-${randomBytes(8).toString('hex')}`;
  req.id = id;
  res.setHeader('X-Request-Id', id);
  res.setHeader('X-Nimbus-Api', 'v1');
  next();
}
