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
    const error = domainErrorFromHttp(status, message);
    // A client error the framework raised (e.g. a path segment that is not valid percent-encoding).
    if (error.code === 'INVALID_ARGUMENT') {
      const [field] = describeClientError({ message });
      return new DomainError(error.code, message, {
        fieldViolations: [{ field, description: message }],
      });
    }
    return error;
  }
  // body-parser and router errors carry `status` (and body-parser a `type`).
  const e = exception as { status?: number; type?: string; message?: string };
  if (typeof e?.status === 'number' && e.status < 500) {
    const [field, message] = describeClientError(e);
    const error = domainErrorFromHttp(e.status, message);
    return new DomainError(error.code, message, {
      fieldViolations: [{ field, description: message }],
    });
  }
  return new DomainError('INTERNAL', 'internal error; see the server log with this requestId');
}

/** The part of the request a parser or router error is about, and what is wrong with it. */
function describeClientError(e: { type?: string; message?: string }): [string, string] {
  if (e.type === 'entity.parse.failed') {
    return ['body', `malformed JSON body: ${e.message ?? ''}`];
  }
  if (e.type === 'entity.too.large') {
    return ['body', 'request body too large (limit 1 MiB)'];
  }
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
    return ['Content-Type', e.message ?? 'unsupported encoding'];
  }
  // Express: "Failed to decode param '%ff'" for a path segment that is not valid percent-encoding.
  return [/decode param/i.test(e.message ?? '') ? 'path' : 'request', e.message ?? 'bad request'];
}
