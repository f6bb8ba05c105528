import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Clock, notFound } from '@app/common';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';
import { routeTemplateOf } from '../../http/route-template';
import { CONSISTENT_COLLECTIONS, ConsistencyDelays } from './consistency-delays';

/** `/v1/<collection>`, `/v1/<collection>/:id`, also nested (`/v1/networks/:networkId/routes/:id`). */
const READ_ROUTE = /^\/v1\/(?:[a-z-]+\/:[A-Za-z]+\/)*([a-z-]+)(\/:[A-Za-z]+)?$/;

interface Created {
  id?: string;
  createdAt?: string;
}

/**
 * Hides resources younger than their type's consistency delay from GET and lists, generically:
 * the type comes from the route, the age from the response DTO's `createdAt`. Mutations are not
 * affected (as on EC2, a new instance can be tagged or terminated before Describe shows it).
 */
@Injectable()
export class ConsistencyInterceptor implements NestInterceptor {
  constructor(
    private readonly delays: ConsistencyDelays,
    private readonly clock: Clock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.delays.any) {
      return next.handle();
    }
    const req = context.switchToHttp().getRequest<Request>();
    const match = req.method === 'GET' ? READ_ROUTE.exec(routeTemplateOf(req)) : null;
    const type = match ? CONSISTENT_COLLECTIONS[match[1]] : undefined;
    const delay = type ? this.delays.of(type) : 0;
    if (!type || delay <= 0) {
      return next.handle();
    }
    const single = match![2] !== undefined;
    return next.handle().pipe(
      map((body: unknown) => {
        const visibleFrom = this.clock.now() - delay;
        const hidden = (item: Created) =>
          typeof item.createdAt === 'string' && Date.parse(item.createdAt) > visibleFrom;
        if (single) {
          if (hidden(body as Created)) {
            context.switchToHttp().getResponse<Response>().removeHeader('ETag');
            throw notFound(type, (body as Created).id ?? '');
          }
          return body;
        }
        const list = body as { items?: Created[] };
        return Array.isArray(list.items)
          ? { ...list, items: list.items.filter((item) => !hidden(item)) }
          : body;
      }),
    );
  }
}
