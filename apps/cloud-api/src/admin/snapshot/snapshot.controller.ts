import { Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
import { SnapshotRestoreDto } from '@app/cloud-contracts';
import type { Request, Response } from 'express';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { AdminController } from '../admin-controller.decorator';
import { SnapshotService } from './snapshot.service';

export const SNAPSHOT_CONTENT_TYPE = 'application/vnd.sqlite3';
/** Upload types the raw body parser accepts for a restore. */
export const SNAPSHOT_UPLOAD_TYPES = [
  SNAPSHOT_CONTENT_TYPE,
  'application/x-sqlite3',
  'application/octet-stream',
];

@AdminController('snapshot')
export class SnapshotController {
  constructor(private readonly snapshots: SnapshotService) {}

  @Get()
  @ApiOperation({
    summary: 'Download the whole state as an SQLite file (admin)',
    description:
      'A consistent copy (VACUUM INTO) of every table: projects, tokens, resources, settings and the clock. `X-Nimbus-Schema-Version` names the last migration; the file records them all.',
  })
  @ApiProduces(SNAPSHOT_CONTENT_TYPE)
  @ApiOkResponse({ schema: { type: 'string', format: 'binary' } })
  @ApiProblems(401, 403)
  take(@Res() res: Response): void {
    const bytes = this.snapshots.take();
    const version = this.snapshots.schemaVersion();
    res.setHeader('Content-Type', SNAPSHOT_CONTENT_TYPE);
    res.setHeader('Content-Disposition', 'attachment; filename="nimbus-snapshot.sqlite"');
    res.setHeader('X-Nimbus-Schema-Version', version[version.length - 1] ?? '');
    res.status(200).send(bytes);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Restore a snapshot (admin)',
    description:
      'Send the file from GET /admin/snapshot as the raw body (Content-Type application/vnd.sqlite3). Every table is replaced in one transaction and the app serves the restored state (and clock) at once. A file that is not a Nimbus snapshot (field `body`) or was taken at another schema version (field `schemaVersion`) is refused with 400 and changes nothing. Tokens whose secrets are fixed by configuration keep working.',
  })
  @ApiConsumes(SNAPSHOT_CONTENT_TYPE)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ type: SnapshotRestoreDto })
  @ApiProblems(400, 401, 403)
  restore(@Req() req: Request): SnapshotRestoreDto {
    return this.snapshots.restore(req.body);
  }
}
