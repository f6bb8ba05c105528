import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsIP,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { LOG_LEVELS, type LogLevel } from './cloud-api.config';
import { toBoolean } from './flag-formats';
import { TLS_MODES, toNameList, toTlsMode, type TlsMode } from './tls-flags';

/** Validated configuration of `nimbus up` (the cloud and the whole simulated cluster in one process). */
export class NimbusUpConfig {
  /** cloud.sqlite, kube.sqlite, certificates, tokens.csv, kubeconfig and ccm-token. */
  @IsString()
  @MinLength(1)
  dataDir = '.nimbus';

  @IsString()
  host = '127.0.0.1';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  cloudPort = 8080;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  apiserverPort = 6443;

  /** The CCM's /healthz and /metrics (its `--secure-port`); -1 = off. */
  @Type(() => Number)
  @IsInt()
  @Min(-1)
  @Max(65535)
  ccmPort = 10258;

  /** The CCM's `--feature-gates` (`Name=true,…`), e.g. `LoadBalancerStatusImprovements=true`. */
  @IsString()
  ccmFeatureGates = '';

  /** Fixed project token of the cloud (NIMBUS_TOKEN). */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'token must be at least 16 characters' })
  token?: string;

  /** Fixed admin token of the cloud (NIMBUS_ADMIN_TOKEN). */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'admin token must be at least 16 characters' })
  adminToken?: string;

  @IsString()
  @MinLength(1)
  clusterName = 'kubernetes';

  /** Pod CIDR(s): node-ipam allocates node pod CIDRs from it, the route controller routes them. */
  @IsString()
  clusterCidr = '10.244.0.0/16';

  /** Cloud state-transition override in ms (0 = immediate); default the cloud's own durations. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  transitionMs?: number;

  /** The kube-controller-manager's /healthz and /metrics (its `--secure-port`); -1 = off. */
  @Type(() => Number)
  @IsInt()
  @Min(-1)
  @Max(65535)
  controllerManagerPort = 10257;

  /** The kube-scheduler's /healthz and /metrics (its `--secure-port`); -1 = off. */
  @Type(() => Number)
  @IsInt()
  @Min(-1)
  @Max(65535)
  schedulerPort = 10259;

  /** kube-proxy health port on every node address (0 = one free port for all). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  proxyHealthzPort = 10256;

  /** kube-proxy /metrics on the listen host (0 = any free port, -1 = off). */
  @Type(() => Number)
  @IsInt()
  @Min(-1)
  @Max(65535)
  proxyMetricsPort = 10249;

  /** Worker instances of the demo cluster created on the first start (0 = none). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1000)
  workers = 3;

  /** Instance type of those workers (GET /v1/instance-types). */
  @IsString()
  @MinLength(1)
  workerType = 'nb.large';

  /** Delete the previous state (cloud, api-server, certificates, tokens) and start over. */
  @Transform(toBoolean)
  @IsBoolean()
  fresh = false;

  /**
   * The cloud's `--lb-ipv4-pool`: public IPv4 addresses of load balancers. Two stacks on one machine
   * need different pools, since each answers on the pool's loopback image (203.0.113.7 → 127.203.113.7).
   */
  @IsString()
  @Matches(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, {
    message: 'must be an IPv4 CIDR such as 203.0.113.0/24',
  })
  lbIpv4Pool = '203.0.113.0/24';

  /** The cloud's `--lb-bind`: load balancers listen on this address (e.g. a LAN IP) with their own ports. */
  @IsOptional()
  @IsIP(undefined, { message: 'lbBind must be an IPv4 or IPv6 address' })
  lbBind?: string;

  /**
   * The data plane (load balancers and kube-proxies) in a worker thread of its own (default), so
   * forwarded bytes never wait for the control plane's event loop; false runs it on that loop.
   */
  @Transform(toBoolean)
  @IsBoolean()
  dataPlaneThread = true;

  /**
   * The cloud API's `--tls`: `auto` serves HTTPS with a CA generated in the data dir
   * (`cloud-ca.crt`), which every component `nimbus up` starts trusts. Default `off` (plain HTTP).
   */
  @Transform(toTlsMode)
  @IsIn(TLS_MODES, { message: 'must be auto or off (--cloud-tls alone means auto)' })
  cloudTls: TlsMode = 'off';

  /** The cloud API's `--tls-san`: extra names of its certificate (a LAN IP, host.docker.internal). */
  @Transform(toNameList)
  @IsString({ each: true })
  cloudTlsSan: string[] = [];

  /** The components' level; the cloud API and api-server log warnings and errors only. */
  @IsIn(LOG_LEVELS)
  logLevel: LogLevel = 'info';
}
