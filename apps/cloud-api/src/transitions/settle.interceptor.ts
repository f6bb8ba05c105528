import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { TransitionSettler } from './transition-settler';

/** Brings every resource up to the clock's present before a handler reads or writes it. */
@Injectable()
export class SettleInterceptor implements NestInterceptor {
  constructor(private readonly settler: TransitionSettler) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.settler.settle();
    return next.handle();
  }
}
