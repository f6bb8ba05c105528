import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { LOG_LEVELS, type LogLevel } from './cloud-api.config';
import { toBoolean } from './flag-formats';

/** Validated configuration of the built-in kube-apiserver (CLI options and NIMBUS_* variables). */
export class KubeApiServerConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  port = 6443;

  @IsString()
  host = '127.0.0.1';

  /** Directory holding kube.sqlite, the CA, the serving certificate, tokens.csv and kubeconfig. */
  @IsString()
  @MinLength(1)
  dataDir = '.nimbus/kube';

  /** Token file (`token,user,uid,"group1,group2"` per line); generated in the data dir when absent. */
  @IsOptional()
  @IsString()
  tokenFile?: string;

  /**
   * Authorizers in order (`--authorization-mode`, comma-separated): `Node` (kubelets reach only
   * their own node's objects), `RBAC`, `AlwaysAllow` (every authenticated request allowed);
   * default `Node,RBAC`. system:masters is always allowed.
   */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean)
      : value,
  )
  @IsIn(['Node', 'RBAC', 'AlwaysAllow'], { each: true })
  authorizationMode: ('Node' | 'RBAC' | 'AlwaysAllow')[] = ['Node', 'RBAC'];

  /** `iss` of ServiceAccount tokens (`--service-account-issuer`); also the default audience. */
  @IsString()
  @MinLength(1)
  serviceAccountIssuer = 'https://kubernetes.default.svc.cluster.local';

  /** Service ClusterIP range; the first address goes to `default/kubernetes`. */
  @IsString()
  @Matches(/^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)\/([89]|[12]\d|30)$/, {
    message: 'must be an IPv4 CIDR with a prefix of /8 to /30, such as 10.96.0.0/12',
  })
  serviceCidr = '10.96.0.0/12';

  /** Watch history kept for resuming: at least this many revisions … */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  retainRevisions = 1000;

  /** … and at least this many milliseconds. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  retainMs = 300_000;

  /** How often history is compacted (ms). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  compactIntervalMs = 60_000;

  /** Watch heartbeats (ms): a newline on idle JSON HTTP streams, a ping on WebSocket watches. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  heartbeatMs = 10_000;

  /** BOOKMARK interval for watches that allow them (ms). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  bookmarkMs = 60_000;

  /**
   * How long a deleted pod's (simulated) containers take to stop before the built-in kubelet
   * stand-in removes it; capped by the pod's grace period.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  podStopSeconds = 1;

  /**
   * Run that stand-in for the kubelet's final delete. Turn it off when simulated kubelets
   * (`nimbus kubelet`, `nimbus up`) run: they delete their pods themselves.
   */
  @Transform(toBoolean)
  @IsBoolean()
  podGraceReaper = true;

  /** DefaultTolerationSeconds admission: not-ready:NoExecute toleration added to pods. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  defaultNotReadyTolerationSeconds = 300;

  /** DefaultTolerationSeconds admission: unreachable:NoExecute toleration added to pods. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  defaultUnreachableTolerationSeconds = 300;

  /** Upstream `--max-requests-inflight`: reads served at once before 429s; 0 = no limit. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  maxRequestsInflight = 400;

  /** Upstream `--max-mutating-requests-inflight`: writes served at once; 0 = no limit. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  maxMutatingRequestsInflight = 200;

  @IsIn(LOG_LEVELS)
  logLevel: LogLevel = 'info';
}
