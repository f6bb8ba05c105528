import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { invalidArgument, parseDuration } from '@app/common';
import { EventStreamQuery, ResourceChangeEventDto } from '@app/cloud-contracts';
import { CloudApiConfig } from '@app/config';
import type { Request, Response } from 'express';
import { Ctx, type RequestContext } from '../conventions/request-context';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { ChangeStream } from './change-stream';

const EVENT_ID = /^\d{1,15}$/;

@ApiTags('events')
@ApiBearerAuth()
@ApiExtraModels(ResourceChangeEventDto)
@Controller('v1/events')
export class EventsController {
  private readonly heartbeatMs: number;

  constructor(
    private readonly changes: ChangeStream,
    config: CloudApiConfig,
  ) {
    this.heartbeatMs = parseDuration(config.eventsHeartbeat, 'events-heartbeat');
  }

  @Get('stream')
  @ApiOperation({
    summary: "Stream the project's resource changes (Server-Sent Events)",
    description:
      'One event per change of an instance, volume, network, route or load balancer of the project — by API calls, by the clock settling transitions, by out-of-band admin calls: `id: <seq>`, `event: created|updated|deleted`, `data: <JSON>`. Send `Last-Event-ID` (or `?lastEventId=`) to resume after an event. Comment lines (`: heartbeat`) keep idle connections open.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, example: '1042' })
  @ApiOkResponse({
    description: 'An endless text/event-stream; each data line is a ResourceChangeEvent.',
    content: {
      'text/event-stream': { schema: { $ref: getSchemaPath(ResourceChangeEventDto) } },
    },
  })
  @ApiProblems(400, 401)
  stream(
    @Ctx() ctx: RequestContext,
    @Query() query: EventStreamQuery,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    const header = req.header('last-event-id');
    if (header !== undefined && !EVENT_ID.test(header)) {
      throw invalidArgument('Last-Event-ID', 'must be an event id (a non-negative integer)');
    }
    const resumeFrom = header ?? query.lastEventId;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), this.heartbeatMs);
    heartbeat.unref();
    const unsubscribe = this.changes.subscribe(
      {
        projectId: ctx.principal.projectId,
        send: (event) =>
          res.write(`id: ${event.seq}\nevent: ${event.change}\ndata: ${JSON.stringify(event)}\n\n`),
        close: () => res.end(),
      },
      resumeFrom === undefined ? undefined : Number(resumeFrom),
    );
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  }
}
