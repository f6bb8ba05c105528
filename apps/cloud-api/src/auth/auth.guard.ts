import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, invalidArgument } from '@app/common';
import { requestIdOf, type NimbusRequest } from '../conventions/request-context';
import { TokensRepository } from '../projects/tokens.repository';
import { routeAccessOf } from './route-access';
import { hashToken } from './token-secret';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Resolves `Authorization: Bearer <token>` to a project and attaches the RequestContext.
 * Also validates the convention headers (Idempotency-Key) so every route gets them checked.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensRepository,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const access = routeAccessOf(this.reflector, context);
    if (access.public) {
      return true;
    }
    const req = context.switchToHttp().getRequest<NimbusRequest>();
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) {
      throw new DomainError(
        'UNAUTHENTICATED',
        'missing bearer token: send "Authorization: Bearer <token>"',
      );
    }
    const principal = this.tokens.findPrincipalByHash(hashToken(match[1]));
    if (!principal) {
      throw new DomainError('UNAUTHENTICATED', 'invalid or revoked token');
    }
    if (access.admin && !principal.admin) {
      throw new DomainError('PERMISSION_DENIED', 'this endpoint needs an admin token');
    }
    const idempotencyKey = req.header('idempotency-key');
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw invalidArgument(
        'Idempotency-Key',
        'must be 1-255 printable ASCII characters without spaces',
      );
    }
    req.nimbus = {
      requestId: requestIdOf(req),
      principal,
      method: req.method,
      path: req.originalUrl.split('?')[0],
      idempotencyKey,
      ifMatch: req.header('if-match'),
    };
    return true;
  }
}
