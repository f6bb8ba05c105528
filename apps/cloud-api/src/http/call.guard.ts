import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { RateLimitGuard } from '../admin/rate-limits/rate-limit.guard';
import { AuthGuard } from '../auth/auth.guard';
import { OperationGuard } from '../conventions/operation-name';
import { FaultGuard } from '../faults/fault.guard';

/**
 * The one global guard: names the call, authenticates it, throttles it and applies fault rules,
 * in that order (so a call the AuthGuard rejects is still audited with its operation, and only
 * authenticated calls are throttled or faulted). One guard instead of four because Nest awaits
 * every guard's answer separately: four guards cost four promise round trips on every call.
 */
@Injectable()
export class CallGuard implements CanActivate {
  constructor(
    private readonly operation: OperationGuard,
    private readonly auth: AuthGuard,
    private readonly rateLimit: RateLimitGuard,
    private readonly faults: FaultGuard,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    // The first three answer synchronously (true, or throw); a false still stops the call as it
    // would have with separate guards (Nest then answers 403).
    return (
      this.operation.canActivate(context) &&
      this.auth.canActivate(context) &&
      this.rateLimit.canActivate(context) &&
      this.faults.canActivate(context)
    );
  }
}
