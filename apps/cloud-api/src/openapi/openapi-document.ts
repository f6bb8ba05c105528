import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/**
 * Swagger UI lists tags in this order: a newcomer meets the cloud's resources first, the CI
 * controls last. Every tag a controller uses must be here (a test checks it).
 */
export const OPENAPI_TAGS: readonly [name: string, description: string][] = [
  ['instances', 'Virtual machines: create, start, stop, reboot, terminate.'],
  ['volumes', 'Block storage: create, resize, attach to and detach from instances.'],
  ['networks', 'Networks; every project has a default network with one subnet per zone.'],
  ['routes', "Routes in a network's route table (pod CIDRs → instances)."],
  ['load-balancers', 'Public load balancers: listeners, backends, health checks.'],
  ['operations', 'Long-running operations every mutation answers with.'],
  ['quotas', 'Quota limits and usage.'],
  ['catalog', 'Regions, zones, instance types and volume types.'],
  ['events', 'The change stream of a project (Server-Sent Events).'],
  ['projects', 'Projects and their tokens (admin token).'],
  [
    'admin',
    'CI controls (admin token): fake clock, transition durations, eventual consistency, rate limits, reset, seed and snapshots.',
  ],
];

/** The OpenAPI document, generated from the controllers and DTO decorators (deterministic). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Nimbus cloud API')
    .setDescription(
      [
        'A fake cloud for Kubernetes. Authorise with the bearer token printed at start-up (or NIMBUS_TOKEN).',
        '',
        'Conventions (docs/api-conventions.md): errors are RFC 9457 problem+json with a stable `code`;',
        'mutations answer the resource in its transitional state plus an `operation` to poll;',
        'POSTs accept `Idempotency-Key`; conditional writes use `If-Match` with the `etag`;',
        'lists page with `pageSize` / `pageToken` and filter with `labelSelector`.',
        'Project calls are throttled per project (token buckets) and answer `RateLimit-Limit`,',
        '`RateLimit-Remaining` and `RateLimit-Reset`; an empty bucket answers 429 `RATE_LIMITED` with `Retry-After`.',
      ].join('\n'),
    )
    .setVersion('v1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Project or admin token' });
  for (const [name, description] of OPENAPI_TAGS) {
    builder.addTag(name, description);
  }
  const config = builder.build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  markProblemResponses(document);
  return document;
}

type Responses = Record<string, { content?: Record<string, unknown> }>;

/** Error responses are application/problem+json (the decorators can only say application/json). */
function markProblemResponses(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem) as { responses?: Responses }[]) {
      for (const [status, response] of Object.entries(operation?.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (Number(status) >= 400 && json !== undefined) {
          response.content = { 'application/problem+json': json };
        }
      }
    }
  }
}
