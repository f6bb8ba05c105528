import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { routeAccessOf } from '../../auth/route-access';
import type { NimbusRequest } from '../../conventions/request-context';
import { routeTemplateOf } from '../../http/route-template';
import { rateLimitClassOf } from './rate-limit-classes';
import { RateLimitsService } from './rate-limits.service';

/**
 * Throttles authenticated calls (after the AuthGuard) by project and operation class, and sends
 * RateLimit-Limit / -Remaining / -Reset on every such response, errors included. Admin routes and
 * unauthenticated ones (health, metrics, docs) are not throttled.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly limits: RateLimitsService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<NimbusRequest>();
    if (!this.limits.enabled || !req.nimbus) {
      return true;
    }
    if (routeAccessOf(this.reflector, context).admin) {
      return true;
    }
    const { outcome, rejected } = this.limits.take(
      req.nimbus.principal.projectId,
      rateLimitClassOf(req.method, routeTemplateOf(req)),
    );
    const res = http.getResponse<Response>();
    res.setHeader('RateLimit-Limit', String(outcome.limit));
    res.setHeader('RateLimit-Remaining', String(outcome.remaining));
    res.setHeader('RateLimit-Reset', String(outcome.resetSeconds));
    if (rejected) {
      throw rejected;
    }
    return true;
  }
}
