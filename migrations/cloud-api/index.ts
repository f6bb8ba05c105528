import { Init1795724898776 } from './1795724898776-Init';
import { Quotas1795725232007 } from './1795725232007-Quotas';
import { Volumes1795725444854 } from './1795725444854-Volumes';
import { NetworksRoutesLoadBalancers1795725473616 } from './1795725473616-NetworksRoutesLoadBalancers';
import { AuditFaultsChangeStream1795726438048 } from './1795726438048-AuditFaultsChangeStream';
import { ResourceChangeTriggers1795726438049 } from './1795726438049-ResourceChangeTriggers';
import { RateLimitBuckets1795726468706 } from './1795726468706-RateLimitBuckets';
import { ImportedInstances1796506272572 } from './1796506272572-ImportedInstances';

/** Every migration of this database, in order (listed explicitly: globs break under bundling). */
export const cloudApiMigrations = [
  Init1795724898776,
  Quotas1795725232007,
  Volumes1795725444854,
  NetworksRoutesLoadBalancers1795725473616,
  AuditFaultsChangeStream1795726438048,
  ResourceChangeTriggers1795726438049,
  RateLimitBuckets1795726468706,
  ImportedInstances1796506272572,
];
