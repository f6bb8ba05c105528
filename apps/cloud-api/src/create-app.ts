import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { CloudApiConfig } from '@app/config';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Logger } from 'nestjs-pino';
import swaggerUi from 'swagger-ui-express';
import { AuditLog } from './audit/audit-log';
import { ReadConsistency } from './admin/consistency/read-consistency';
import { SNAPSHOT_UPLOAD_TYPES } from './admin/snapshot/snapshot.controller';
import { CloudApiModule } from './cloud-api.module';
import type { CloudApiRuntime } from './core.module';
import { sendProblem } from './http/problem.filter';
import { jsonDepthLimit } from './http/json-depth';
import { oneLayer } from './http/one-layer';
import { requestIdentity } from './http/request-identity.middleware';
import { ChangeStream } from './events/change-stream';
import { PublicIpPools } from './load-balancers/public-ip-pools';
import { LoadBalancerDataPlane } from './load-balancers/data-plane/lb-data-plane.service';
import { HttpMetrics } from './metrics/http-metrics';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { TransitionSettler } from './transitions/transition-settler';
import { AppLogger } from './http/logging';

/**
 * Builds and initialises the cloud API (not listening yet): used by `nimbus cloud-api` and the
 * tests. `httpsOptions` (a certificate and key) make it an HTTPS server.
 */
export async function createCloudApiApp(
  config: CloudApiConfig,
  runtime: CloudApiRuntime = {},
  server: { httpsOptions?: { cert: string; key: string } } = {},
): Promise<NestExpressApplication> {
  PublicIpPools.validate(config);
  const app = await NestFactory.create<NestExpressApplication>(
    CloudApiModule.forRoot(config, runtime),
    {
      httpsOptions: server.httpsOptions,
      // Nest's own console logger stays off: pino takes over below, and the CLI reports start-up errors.
      logger: false,
      bodyParser: false,
      abortOnError: false,
    },
  );
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('etag', false); // ETag headers are the resources' etags, set explicitly
  app.set('query parser', 'simple');
  // Bookkeeping of every call: its id, request log, audit record, metrics, change fan-out.
  app.use(
    oneLayer(
      requestIdentity,
      app.get(AppLogger).requestLog(),
      app.get(AuditLog).middleware(),
      app.get(HttpMetrics).middleware(),
      app.get(ChangeStream).middleware(),
    ),
  );
  app.use('/admin', app.get(LoadBalancerDataPlane).adminMiddleware());
  // Bring resources up to the clock's present before any API handler reads or writes them.
  const settler = app.get(TransitionSettler);
  app.use(['/v1', '/admin'], (_req: Request, _res: Response, next: NextFunction) => {
    settler.settle();
    next();
  });
  // A snapshot restore uploads the SQLite file itself.
  app.use('/admin/snapshot', express.raw({ limit: '2gb', type: SNAPSHOT_UPLOAD_TYPES }));
  app.use(
    oneLayer(
      express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }),
      jsonDepthLimit,
    ),
  );
  app.use('/v1', app.get(ReadConsistency).middleware());
  // Body-parser errors (malformed JSON, too large) skip to the next error handler: answer problem+json.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) =>
    sendProblem(req, res, err),
  );

  // Built on first request, not at start (it scans every controller and DTO: ~0.1 s of start-up);
  // the Swagger UI loads it from /openapi.json.
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  app.use('/openapi.json', (_req: Request, res: Response) =>
    res.json((document ??= buildOpenApiDocument(app))),
  );
  app.use(
    '/docs',
    swaggerUi.serve,
    swaggerUi.setup(undefined, {
      swaggerOptions: { url: '/openapi.json', persistAuthorization: true },
    }),
  );

  await app.init();
  return app;
}
