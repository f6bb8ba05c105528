import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SqliteDatabase } from '@app/persistence';
import { Public } from '../auth/auth.decorators';

/** Liveness and readiness for process supervisors and `nimbus up`. */
@ApiExcludeController()
@Public()
@Controller()
export class HealthController {
  constructor(private readonly db: SqliteDatabase) {}

  @Get('healthz')
  @HttpCode(200)
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  readyz() {
    try {
      this.db.get('SELECT 1');
    } catch {
      throw new ServiceUnavailableException('database unavailable');
    }
    return { status: 'ok', checks: { database: 'ok' } };
  }
}
