import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { CloudApiConfig } from '@app/config';
import { LoggerModule } from 'nestjs-pino';
import { AdminAuditController } from './audit/admin-audit.controller';
import { AuditLog } from './audit/audit-log';
import { AuditQueryService } from './audit/audit-query.service';
import { AuditRepository } from './audit/audit.repository';
import { ClockAdminService } from './admin/clock/clock-admin.service';
import { ClockController } from './admin/clock/clock.controller';
import { ConsistencyController } from './admin/consistency/consistency.controller';
import { ConsistencyDelays } from './admin/consistency/consistency-delays';
import { ReadConsistency } from './admin/consistency/read-consistency';
import { RateLimitBucketsRepository } from './admin/rate-limits/rate-limit-buckets.repository';
import { RateLimitGuard } from './admin/rate-limits/rate-limit.guard';
import { RateLimitsController } from './admin/rate-limits/rate-limits.controller';
import { RateLimitsService } from './admin/rate-limits/rate-limits.service';
import { ResetController } from './admin/reset/reset.controller';
import { ResetRepository } from './admin/reset/reset.repository';
import { ResetService } from './admin/reset/reset.service';
import { SeedService } from './admin/reset/seed.service';
import { SnapshotController } from './admin/snapshot/snapshot.controller';
import { SnapshotRepository } from './admin/snapshot/snapshot.repository';
import { SnapshotService } from './admin/snapshot/snapshot.service';
import { TransitionsAdminService } from './admin/transitions/transitions-admin.service';
import { TransitionsController } from './admin/transitions/transitions.controller';
import { AuthGuard } from './auth/auth.guard';
import { OperationGuard } from './conventions/operation-name';
import { ChangeStream } from './events/change-stream';
import { EventsController } from './events/events.controller';
import { ResourceChangesRepository } from './events/resource-changes.repository';
import { AdminFaultsController } from './faults/admin-faults.controller';
import { FaultHoldsService } from './faults/fault-holds.service';
import { FaultGuard } from './faults/fault.guard';
import { FaultRulesService } from './faults/fault-rules.service';
import { FaultTargetsRepository } from './faults/fault-targets.repository';
import { FaultsRepository } from './faults/faults.repository';
import { OutOfBandController } from './out-of-band/out-of-band.controller';
import { OutOfBandService } from './out-of-band/out-of-band.service';
import { CatalogController } from './catalog/catalog.controller';
import { CatalogService } from './catalog/catalog.service';
import { CoreModule, type CloudApiRuntime } from './core.module';
import { HealthController } from './health/health.controller';
import { CallGuard } from './http/call.guard';
import { ProblemFilter } from './http/problem.filter';
import { StrictValidationPipe } from './http/validation.pipe';
import { InstanceImportController } from './instances/instance-import.controller';
import { InstanceImportService } from './instances/instance-import.service';
import { InstancesController } from './instances/instances.controller';
import { InstancesRepository } from './instances/instances.repository';
import { InstancesService } from './instances/instances.service';
import { LoadBalancerDataPlane } from './load-balancers/data-plane/lb-data-plane.service';
import { LoadBalancersController } from './load-balancers/load-balancers.controller';
import { LoadBalancersRepository } from './load-balancers/load-balancers.repository';
import { LoadBalancersService } from './load-balancers/load-balancers.service';
import { PublicIpPools } from './load-balancers/public-ip-pools';
import { MetricsController } from './metrics/metrics.controller';
import { NetworksController } from './networks/networks.controller';
import { NetworksRepository } from './networks/networks.repository';
import { NetworksService } from './networks/networks.service';
import { RoutesController } from './networks/routes.controller';
import { RoutesRepository } from './networks/routes.repository';
import { RoutesService } from './networks/routes.service';
import { OperationsController } from './operations/operations.controller';
import { OperationsRepository } from './operations/operations.repository';
import { OperationsService } from './operations/operations.service';
import { BootstrapService } from './projects/bootstrap.service';
import { ProjectsController } from './projects/projects.controller';
import { ProjectsRepository } from './projects/projects.repository';
import { ProjectsService } from './projects/projects.service';
import { TokensRepository } from './projects/tokens.repository';
import { QuotasController } from './quotas/quotas.controller';
import { QuotasRepository } from './quotas/quotas.repository';
import { QuotasService } from './quotas/quotas.service';
import { AppLogger } from './http/logging';
import { ProjectQuotasController } from './quotas/project-quotas.controller';
import { VolumeAttachmentsRepository } from './volumes/volume-attachments.repository';
import { VolumeAttachmentsService } from './volumes/volume-attachments.service';
import { VolumesController } from './volumes/volumes.controller';
import { VolumesRepository } from './volumes/volumes.repository';
import { VolumesService } from './volumes/volumes.service';

/** The fake cloud API. Feature folders hold controllers, services and repositories of one resource. */
@Module({})
export class CloudApiModule {
  static forRoot(config: CloudApiConfig, runtime: CloudApiRuntime = {}): DynamicModule {
    return {
      module: CloudApiModule,
      imports: [
        CoreModule.forRoot(config, runtime),
        LoggerModule.forRootAsync({
          providers: [AppLogger],
          inject: [AppLogger],
          // Nest's logs go to the app's pino logger; request logs come from AppLogger.requestLog.
          useFactory: (logger: AppLogger) => ({
            pinoHttp: { logger: logger.logger },
            forRoutes: [],
          }),
        }),
      ],
      controllers: [
        HealthController,
        MetricsController,
        ProjectsController,
        CatalogController,
        OperationsController,
        InstancesController,
        InstanceImportController,
        QuotasController,
        ProjectQuotasController,
        VolumesController,
        NetworksController,
        RoutesController,
        LoadBalancersController,
        EventsController,
        AdminFaultsController,
        AdminAuditController,
        OutOfBandController,
        ClockController,
        TransitionsController,
        ConsistencyController,
        RateLimitsController,
        ResetController,
        SnapshotController,
      ],
      providers: [
        ProjectsRepository,
        TokensRepository,
        ProjectsService,
        BootstrapService,
        CatalogService,
        QuotasRepository,
        QuotasService,
        OperationsRepository,
        OperationsService,
        InstancesRepository,
        InstancesService,
        InstanceImportService,
        VolumesRepository,
        VolumeAttachmentsRepository,
        VolumesService,
        VolumeAttachmentsService,
        NetworksRepository,
        NetworksService,
        RoutesRepository,
        RoutesService,
        PublicIpPools,
        LoadBalancersRepository,
        LoadBalancersService,
        LoadBalancerDataPlane,
        ClockAdminService,
        TransitionsAdminService,
        ConsistencyDelays,
        ReadConsistency,
        RateLimitBucketsRepository,
        RateLimitsService,
        SeedService,
        ResetRepository,
        ResetService,
        SnapshotRepository,
        SnapshotService,
        AuditRepository,
        AuditLog,
        AuditQueryService,
        FaultsRepository,
        FaultTargetsRepository,
        FaultHoldsService,
        FaultRulesService,
        ResourceChangesRepository,
        ChangeStream,
        OutOfBandService,
        // One global guard runs the four in order (see CallGuard). (No global interceptors:
        // Nest's interceptor pipeline costs ~100 µs of CPU per request.)
        OperationGuard,
        AuthGuard,
        RateLimitGuard,
        FaultGuard,
        { provide: APP_GUARD, useClass: CallGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useClass: StrictValidationPipe },
      ],
    };
  }
}
