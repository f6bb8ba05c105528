import 'reflect-metadata';
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
import { toBoolean } from './flag-formats';
import { ServingTlsFlags } from './tls-flags';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Validated configuration of the cloud API (from CLI options and NIMBUS_* variables); HTTPS
 * through the `--tls*` flags of ServingTlsFlags.
 */
export class CloudApiConfig extends ServingTlsFlags {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  port = 8080;

  @IsString()
  host = '127.0.0.1';

  /** Directory holding cloud.sqlite; `:memory:` keeps everything in memory (tests). */
  @IsString()
  @MinLength(1)
  dataDir = '.nimbus';

  /** Fixed bearer token of the default project (otherwise generated and printed once). */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'token must be at least 16 characters' })
  token?: string;

  /** Fixed admin token (otherwise generated and printed once). */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'admin token must be at least 16 characters' })
  adminToken?: string;

  @IsIn(LOG_LEVELS)
  logLevel: LogLevel = 'info';

  /** Seed for deterministic IDs and addresses. */
  @IsOptional()
  @IsString()
  seed?: string;

  /** Overrides every state-transition duration (ms); 0 makes transitions immediate. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  transitionMs?: number;

  /** How long terminated instances stay visible, e.g. `1h`. */
  @IsString()
  @Matches(/^(\d+(\.\d+)?(ms|s|m|h|d)?)+$/, { message: 'must be a duration such as 30s, 5m or 1h' })
  terminatedRetention = '1h';

  /** How long audit-log entries and change-stream events are kept (clock time), e.g. `24h`. */
  @IsString()
  @Matches(/^(\d+(\.\d+)?(ms|s|m|h|d)?)+$/, { message: 'must be a duration such as 30m or 24h' })
  auditRetention = '24h';

  /** Interval of the keep-alive comments on `GET /v1/events/stream` (real time), e.g. `15s`. */
  @IsString()
  @Matches(/^(\d+(\.\d+)?(ms|s|m|h|d)?)+$/, { message: 'must be a duration such as 15s' })
  eventsHeartbeat = '15s';

  /** JSON file replacing the built-in region/zone/instance-type catalog. */
  @IsOptional()
  @IsString()
  catalog?: string;

  /** Default network CIDR of every project; zone subnets are carved from it. */
  @IsString()
  @Matches(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, {
    message: 'must be an IPv4 CIDR such as 10.0.0.0/16',
  })
  networkCidr = '10.0.0.0/16';

  /** Pool of public IPv4 addresses for load balancers (network and broadcast addresses excluded). */
  @IsString()
  @Matches(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, {
    message: 'must be an IPv4 CIDR such as 203.0.113.0/24',
  })
  lbIpv4Pool = '203.0.113.0/24';

  /** Pool of public IPv6 addresses for load balancers (the subnet-router address excluded). */
  @IsString()
  @Matches(/^[0-9A-Fa-f:]+\/\d{1,3}$/, {
    message: 'must be an IPv6 CIDR such as 2001:db8:1000::/112',
  })
  lbIpv6Pool = '2001:db8:1000::/112';

  /**
   * Where load balancers listen. Unset: each LB IP on its own loopback address (hostAddressOf,
   * 203.0.113.7 → 127.203.113.7) with its own ports. Set (e.g. a LAN address or 0.0.0.0): every
   * listener on this address, on its own port when free, else on a free port (see `dataPlane`).
   */
  @IsOptional()
  @IsIP(undefined, { message: 'lbBind must be an IPv4 or IPv6 address' })
  lbBind?: string;

  /**
   * Run load balancers' listeners, forwarding and health checks in a worker thread of their own
   * (default), so bytes never wait for the API's event loop or heap; false keeps them on it.
   */
  @Transform(toBoolean)
  @IsBoolean()
  dataPlaneThread = true;

  /** Default quota limits, e.g. `instances=20,vcpus=64` (see GET /v1/quotas for the metrics). */
  @IsOptional()
  @IsString()
  @Matches(/^(\s*[A-Za-z]+\s*=\s*\d+\s*)(,\s*[A-Za-z]+\s*=\s*\d+\s*)*$/, {
    message: 'must look like instances=20,vcpus=64',
  })
  quotas?: string;

  /**
   * Rate limits: `off`, or `class=capacity:refillPerSecond` for reads, mutations and
   * instanceCreates, e.g. `reads=100:20,mutations=20:2` (classes not named keep their defaults).
   */
  @IsOptional()
  @IsString()
  @Matches(
    /^(off|\s*[A-Za-z]+\s*=\s*\d+\s*:\s*\d+(\.\d+)?\s*(,\s*[A-Za-z]+\s*=\s*\d+\s*:\s*\d+(\.\d+)?\s*)*)$/,
    {
      message: 'must be off or look like reads=1000:100,mutations=500:50,instanceCreates=200:10',
    },
  )
  rateLimits?: string;
}
