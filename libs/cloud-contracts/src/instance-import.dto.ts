import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIP, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsLabels } from './validation/labels';

/** Kubernetes node names are DNS-1123 subdomains (at most 253 characters, dots allowed). */
export const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function IsNodeName(): PropertyDecorator {
  return applyDecorators(
    MaxLength(253, { message: '$property must be at most 253 characters' }),
    Matches(DNS1123_SUBDOMAIN, {
      message:
        '$property must be a DNS-1123 subdomain (a Kubernetes node name): lowercase letters, digits, "-" and ".", starting and ending with a letter or digit',
    }),
  );
}

/**
 * `POST /v1/instances:import`: records a machine that runs outside Nimbus (a kind container, a
 * minikube VM, a k3s host) as an instance, so a cloud-controller-manager can initialise and serve
 * the Node behind it.
 */
export class ImportInstanceRequest {
  @ApiProperty({
    example: 'kind-worker',
    description:
      "The machine's name (for a Kubernetes node: the node name, which the CCM looks the instance up by). A DNS-1123 subdomain; unique among the project's non-terminated instances.",
  })
  @IsNodeName()
  name: string;

  @ApiProperty({
    example: '172.18.0.3',
    description:
      "The machine's real IPv4 address (for a node: its InternalIP, e.g. the kubelet's alpha.kubernetes.io/provided-node-ip). Kept as the instance's privateIp even outside the network's CIDR; unique among the project's live instances; not 0.0.0.0, a broadcast or a multicast address.",
  })
  @IsIP('4', { message: 'privateIp must be an IPv4 address' })
  privateIp: string;

  @ApiPropertyOptional({
    example: 'nimbus-1a',
    description: 'See GET /v1/zones. Default: the first zone of the first region.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  zone?: string;

  @ApiPropertyOptional({
    example: 'nb.medium',
    description:
      'See GET /v1/instance-types; counts against the vcpus quota. Default: the first instance type of the catalog.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  instanceType?: string;

  @ApiPropertyOptional({ example: { 'nimbus.dev/cluster': 'kind' } })
  @IsOptional()
  @IsObject()
  @IsLabels()
  labels?: Record<string, string>;
}
