import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * Where a load balancer answers on the machine running the cloud API (the data plane is user
 * space: LB IPs are not the host's). See docs/dataplane.md.
 */
export const DATA_PLANE_MODES = ['loopback', 'localhost', 'bind'] as const;
export type DataPlaneMode = (typeof DATA_PLANE_MODES)[number];

export const DATA_PLANE_STATES = [
  'pending',
  'starting',
  'serving',
  'no_healthy_backends',
  'error',
  'stopped',
] as const;
export type DataPlaneState = (typeof DATA_PLANE_STATES)[number];

export const DATA_PLANE_PORT_STATES = ['opening', 'listening', 'failed'] as const;

export class DataPlanePortDto {
  @ApiProperty({ enum: ['TCP', 'UDP'], example: 'TCP' })
  protocol: 'TCP' | 'UDP';

  @ApiProperty({ example: 80, description: 'The listener port (as in `listeners`).' })
  port: number;

  @ApiProperty({ enum: ['IPv4', 'IPv6'], example: 'IPv4', description: 'The public IP it serves.' })
  ipFamily: 'IPv4' | 'IPv6';

  @ApiProperty({ enum: DATA_PLANE_PORT_STATES, example: 'listening' })
  state: (typeof DATA_PLANE_PORT_STATES)[number];

  @ApiPropertyOptional({
    example: '127.203.113.7',
    description: 'Host address it listens on (when listening).',
  })
  address?: string;

  @ApiPropertyOptional({
    example: 80,
    description: 'Host port it listens on; differs from `port` when mapped (see `message`).',
  })
  hostPort?: number;

  @ApiPropertyOptional({
    example:
      '127.203.113.7:80: ports below 1024 need privileges (net.ipv4.ip_unprivileged_port_start; …); listening on 127.203.113.7:10080 instead',
    description: 'Why the port is mapped, or why it failed.',
  })
  message?: string;
}

export class LoadBalancerDataPlaneDto {
  @ApiProperty({
    enum: DATA_PLANE_MODES,
    example: 'loopback',
    description:
      '`loopback`: the LB IP maps 1:1 into 127/8 (203.0.113.7 → 127.203.113.7); `localhost`: ports on 127.0.0.1 / ::1 (where 127/8 is not all local, e.g. macOS); `bind`: ports on the `--lb-bind` address.',
  })
  mode: DataPlaneMode;

  @ApiProperty({
    example: '127.203.113.7',
    description: 'Host address of the first public IP (curl this with a port of `ports`).',
  })
  address: string;

  @ApiProperty({
    enum: DATA_PLANE_STATES,
    example: 'serving',
    description:
      '`pending` until active; `starting` while listeners open and first health checks run; `no_healthy_backends`: connections are refused; `error`: a listener could not open; `stopped` while deleting or in error.',
  })
  state: DataPlaneState;

  @ApiPropertyOptional({ example: 'no healthy backend: connections are refused' })
  message?: string;

  @ApiProperty({ example: 2, description: 'Backends taking new connections.' })
  healthyBackends: number;

  @ApiProperty({ type: [DataPlanePortDto] })
  ports: DataPlanePortDto[];
}
