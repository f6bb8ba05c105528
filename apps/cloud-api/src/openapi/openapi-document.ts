import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** The OpenAPI document, generated from the controllers and DTO decorators (deterministic). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Nimbus cloud API')
    .setDescription(
      [
        'A fake cloud for Kubernetes. Authorise with the bearer token printed at start-up (or NIMBUS_TOKEN).',
        '',
        'Conventions (docs/api-conventions.md): errors are RFC 9457 problem+json with a stable `code`;',
        'mutations answer the resource in its transitional state plus an `operation` to poll;',
        'POSTs accept `Idempotency-Key`; conditional writes use `If-Match` with the `etag`;',
        'lists page with `pageSize` / `pageToken` and filter with `labelSelector`.',
      ].join('\n'),
    )
    .setVersion('v1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Project or admin token' })
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
}
