import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { DomainError } from '@app/common';
import type { ProblemDto } from '@app/cloud-contracts';
import type { Response } from 'express';
import { requestIdOf, type NimbusRequest } from '../conventions/request-context';
import { InjectedFault } from '../faults/injected-fault';
import { domainErrorFromHttp, problemOf, PROBLEM_CONTENT_TYPE } from './problem';

/** Every error leaves the cloud API as RFC 9457 problem+json; unknown errors become INTERNAL. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(
      http.getRequest<NimbusRequest>(),
      http.getResponse<Response>(),
      exception,
      this.logger,
    );
  }
}

export function sendProblem(
  req: NimbusRequest,
  res: Response,
  exception: unknown,
  logger?: Logger,
): void {
  const instance = req.originalUrl.split('?')[0];
  let problem: ProblemDto;
  if (exception instanceof InjectedFault) {
    problem = exception.toProblem(requestIdOf(req), instance);
  } else {
    const error = toDomainError(exception, req);
    if (error.code === 'INTERNAL') {
      logger?.error({ err: exception, requestId: requestIdOf(req) }, 'unhandled error');
    }
    problem = problemOf(error, requestIdOf(req), instance);
  }
  if (res.headersSent) {
    return;
  }
  // A handler may have set these before failing (a commitThenFail fault): an error carries none.
  for (const header of ['ETag', 'Location', 'Idempotent-Replayed']) {
    res.removeHeader(header);
  }
  if (problem.retryAfterSeconds !== undefined) {
    res.setHeader('Retry-After', String(Math.ceil(problem.retryAfterSeconds)));
  }
  if (problem.status === 401) {
    res.setHeader('WWW-Authenticate', 'Bearer realm="nimbus"');
  }
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

function toDomainError(exception: unknown, req: NimbusRequest): DomainError {
  if (exception instanceof DomainError) {
    return exception;
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const message =
      status === 404
        ? `no route ${req.method} ${req.originalUrl.split('?')[0]}`
        : exception.message;
    return domainErrorFromHttp(status, message);
  }
  // body-parser errors carry `status` and `type`.
  const e = exception as { status?: number; type?: string; message?: string };
  if (typeof e?.status === 'number' && e.status < 500) {
    const message =
      e.type === 'entity.parse.failed'
        ? `malformed JSON body: ${e.message}`
        : e.type === 'entity.too.large'
          ? 'request body too large (limit 1 MiB)'
          : (e.message ?? 'bad request');
    return domainErrorFromHttp(e.status, message);
  }
  return new DomainError('INTERNAL', 'internal error; see the server log with this requestId');
}
