import { applyDecorators, Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/auth.decorators';

/** A controller of the admin API: `/admin/<path>`, admin token only, Swagger tag `admin`. */
export const AdminController = (path = '') =>
  applyDecorators(
    ApiTags('admin'),
    ApiBearerAuth(),
    AdminOnly(),
    Controller(path ? `admin/${path}` : 'admin'),
  );

/** Documents a body that maps keys to durations (milliseconds or text such as "30s"). */
export const ApiDurationMapBody = (example: Record<string, string | number>) =>
  ApiBody({
    schema: {
      type: 'object',
      additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }] },
      example,
    },
  });
