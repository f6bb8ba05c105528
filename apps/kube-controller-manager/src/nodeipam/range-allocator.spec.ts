import { ConfigError } from '@app/config';
import { buildCidrSets } from './range-allocator';

const base = {
  clusterCidr: '10.244.0.0/16',
  serviceClusterIpRange: '',
  nodeCidrMaskSize: 0,
  nodeCidrMaskSizeIpv4: 0,
  nodeCidrMaskSizeIpv6: 0,
};

describe('node-ipam flags', () => {
  it('uses /24 for IPv4 and /64 for IPv6 by default; --node-cidr-mask-size for single stack', () => {
    expect(buildCidrSets(base).map((s) => s.nodeMaskSize)).toEqual([24]);
    expect(buildCidrSets({ ...base, nodeCidrMaskSize: 26 }).map((s) => s.nodeMaskSize)).toEqual([
      26,
    ]);
    expect(
      buildCidrSets({ ...base, clusterCidr: '10.244.0.0/16,fd00:10:244::/56' }).map(
        (s) => s.nodeMaskSize,
      ),
    ).toEqual([24, 64]);
  });

  it('refuses bad --cluster-cidr values and the single-stack mask flag with dual stack', () => {
    expect(() => buildCidrSets({ ...base, clusterCidr: '' })).toThrow(ConfigError);
    expect(() => buildCidrSets({ ...base, clusterCidr: 'nope' })).toThrow(/not a valid CIDR/);
    expect(() => buildCidrSets({ ...base, clusterCidr: '10.0.0.0/16,10.1.0.0/16' })).toThrow(
      /one IPv4 and one IPv6/,
    );
    expect(() =>
      buildCidrSets({ ...base, clusterCidr: '10.244.0.0/16,fd00::/56', nodeCidrMaskSize: 24 }),
    ).toThrow(/not allowed with dual-stack/);
  });

  it('keeps the service range out of the pod blocks where they overlap', () => {
    const [set] = buildCidrSets({
      ...base,
      clusterCidr: '10.0.0.0/22',
      serviceClusterIpRange: '10.0.0.0/24',
    });
    expect(set.allocateNext()).toBe('10.0.1.0/24');
  });
});
