import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditListDto, ListAuditQuery } from '@app/cloud-contracts';
import { AdminOnly } from '../auth/auth.decorators';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { toAuditEntryDto } from './audit.mapper';
import { AuditQueryService } from './audit-query.service';

@ApiTags('admin')
@ApiBearerAuth()
@AdminOnly()
@Controller('admin/audit')
export class AdminAuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  @ApiOperation({
    summary: 'Query the audit log (admin)',
    description:
      'Every API call in creation order: time, project, token, operation, resource, status, latency, request id, Idempotency-Key, fault rule and whether it was out-of-band. Filters combine with AND; paging with pageSize/pageToken.',
  })
  @ApiOkResponse({ type: AuditListDto })
  @ApiProblems(400, 401, 403)
  list(@Query() query: ListAuditQuery): AuditListDto {
    const page = this.audit.list(query);
    return { items: page.items.map(toAuditEntryDto), nextPageToken: page.nextPageToken };
  }
}
