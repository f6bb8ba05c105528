import { Injectable } from '@nestjs/common';
import { Clock, notFound } from '@app/common';
import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from '../../http/problem.filter';
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
 * the type comes from the matched route, the age from the response DTO's `createdAt`. Mutations
 * are not affected (as on EC2, a new instance can be tagged or terminated before Describe shows
 * it). An Express middleware that wraps `res.json` only while a delay is set: with none (the
 * default) it costs one check per call, where a Nest interceptor cost ~0.1 ms on every call.
 */
@Injectable()
export class ReadConsistency {
  constructor(
    private readonly delays: ConsistencyDelays,
    private readonly clock: Clock,
  ) {}

  middleware(): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      if (req.method === 'GET' && this.delays.any) {
        const json = res.json.bind(res);
        res.json = (body: unknown) => {
          const visible = res.statusCode < 400 ? this.filter(req, res, body) : body;
          return visible === HIDDEN ? res : json(visible);
        };
      }
      next();
    };
  }

  /** The body with young resources left out, or HIDDEN when a 404 was sent instead. */
  private filter(req: Request, res: Response, body: unknown): unknown {
    const match = READ_ROUTE.exec(routeTemplateOf(req));
    const type = match ? CONSISTENT_COLLECTIONS[match[1]] : undefined;
    const delay = type ? this.delays.of(type) : 0;
    if (!match || !type || delay <= 0) {
      return body;
    }
    const visibleFrom = this.clock.now() - delay;
    const young = (item: Created) =>
      typeof item?.createdAt === 'string' && Date.parse(item.createdAt) > visibleFrom;
    if (match[2] !== undefined) {
      if (!young(body as Created)) {
        return body;
      }
      res.removeHeader('ETag');
      sendProblem(req, res, notFound(type, (body as Created).id ?? ''));
      return HIDDEN;
    }
    const list = body as { items?: Created[] };
    return Array.isArray(list?.items)
      ? { ...list, items: list.items.filter((item) => !young(item)) }
      : body;
  }
}

const HIDDEN = Symbol('hidden');
