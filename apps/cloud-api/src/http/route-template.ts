import type { Request } from 'express';

/** The matched route's template, e.g. `/v1/instances/:id` ('' before routing matched one). */
export function routeTemplateOf(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route;
  return typeof route?.path === 'string' ? route.path : '';
}
