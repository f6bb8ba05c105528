import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { ADMIN_ROUTE, PUBLIC_ROUTE } from './auth.decorators';

/** Who may call a route: anyone (public), admin tokens only, or any token. */
export interface RouteAccess {
  public: boolean;
  admin: boolean;
}

const cache = new WeakMap<object, RouteAccess>();

/**
 * The route's access, read from its decorators once per handler: metadata never changes after
 * start-up, and reading it through the Reflector cost every guard on every call.
 */
export function routeAccessOf(reflector: Reflector, context: ExecutionContext): RouteAccess {
  const handler = context.getHandler();
  let access = cache.get(handler);
  if (!access) {
    const targets = [handler, context.getClass()];
    access = {
      public: reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) === true,
      admin: reflector.getAllAndOverride<boolean>(ADMIN_ROUTE, targets) === true,
    };
    cache.set(handler, access);
  }
  return access;
}
