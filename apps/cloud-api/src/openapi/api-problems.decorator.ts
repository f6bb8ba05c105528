import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDto } from '@app/cloud-contracts';

const DESCRIPTIONS: Record<number, string> = {
  400: 'INVALID_ARGUMENT (bad input, field named) or FAILED_PRECONDITION (state does not allow it)',
  401: 'UNAUTHENTICATED: missing or invalid bearer token',
  403: 'PERMISSION_DENIED: needs an admin token',
  404: 'NOT_FOUND (also for resources of other projects)',
  409: 'ALREADY_EXISTS, CONFLICT or IDEMPOTENCY_KEY_REUSED',
  412: 'PRECONDITION_FAILED: If-Match does not match the current etag',
  429: 'QUOTA_EXCEEDED (not retryable) or RATE_LIMITED (retry after Retry-After)',
};

/** Documents the problem+json answers of an endpoint (buildOpenApiDocument sets the media type). */
export function ApiProblems(...statuses: number[]): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status],
        schema: { $ref: getSchemaPath(ProblemDto) },
      }),
    ),
  );
}
