import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { tap, type Observable } from 'rxjs';
import type { NimbusRequest } from '../conventions/request-context';

/**
 * Completes the audit record from the response: a create learns its resource id only here
 * (`operation.target.id` of a mutation, or the `id` of a synchronous create).
 */
@Injectable()
export class AuditCaptureInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const call = context.switchToHttp().getRequest<NimbusRequest>().call;
    if (!call || call.resourceId !== undefined) {
      return next.handle();
    }
    return next.handle().pipe(
      tap((body: unknown) => {
        call.resourceId = resourceIdOf(body);
      }),
    );
  }
}

export function resourceIdOf(body: unknown): string | undefined {
  const b = body as { id?: unknown; operation?: { target?: { id?: unknown } } } | undefined;
  const id = b?.operation?.target?.id ?? b?.id;
  return typeof id === 'string' ? id : undefined;
}
