import { RateLimitBucketEntity } from '../admin/rate-limits/rate-limit-bucket.entity';
import { AddressAllocationEntity } from '../addresses/entities/address-allocation.entity';
import { AddressPoolEntity } from '../addresses/entities/address-pool.entity';
import { AuditEntryEntity } from '../audit/audit-entry.entity';
import { ResourceChangeEntity } from '../events/entities/resource-change.entity';
import { FaultHoldEntity } from '../faults/entities/fault-hold.entity';
import { FaultRuleEntity } from '../faults/entities/fault-rule.entity';
import { IdempotencyKeyEntity } from '../conventions/idempotency/idempotency-key.entity';
import { InstanceEntity } from '../instances/entities/instance.entity';
import { LoadBalancerBackendEntity } from '../load-balancers/entities/load-balancer-backend.entity';
import { LoadBalancerEntity } from '../load-balancers/entities/load-balancer.entity';
import { NetworkEntity } from '../networks/entities/network.entity';
import { RouteEntity } from '../networks/entities/route.entity';
import { OperationEntity } from '../operations/entities/operation.entity';
import { ProjectEntity } from '../projects/entities/project.entity';
import { TokenEntity } from '../projects/entities/token.entity';
import { QuotaLimitEntity } from '../quotas/entities/quota-limit.entity';
import { QuotaUsageEntity } from '../quotas/entities/quota-usage.entity';
import { SettingEntity } from '../settings/setting.entity';
import { VolumeAttachmentEntity } from '../volumes/entities/volume-attachment.entity';
import { VolumeEntity } from '../volumes/entities/volume.entity';

/** Every entity of cloud.sqlite, listed explicitly (globs break across ts-node/dist layouts). */
export const CLOUD_API_ENTITIES = [
  ProjectEntity,
  TokenEntity,
  InstanceEntity,
  OperationEntity,
  IdempotencyKeyEntity,
  AddressAllocationEntity,
  AddressPoolEntity,
  SettingEntity,
  QuotaUsageEntity,
  QuotaLimitEntity,
  VolumeEntity,
  VolumeAttachmentEntity,
  NetworkEntity,
  RouteEntity,
  LoadBalancerEntity,
  LoadBalancerBackendEntity,
  AuditEntryEntity,
  FaultRuleEntity,
  FaultHoldEntity,
  ResourceChangeEntity,
  RateLimitBucketEntity,
];
