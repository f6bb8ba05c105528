import {
  InvalidClusterCidrError,
  isResponsibleForRoute,
  parseClusterCidrs,
  sameCidr,
} from './cluster-cidrs';

describe('parseClusterCidrs', () => {
  it('should accept one CIDR or a dual-stack pair', () => {
    expect(parseClusterCidrs('10.244.0.0/16').map((c) => c.text)).toEqual(['10.244.0.0/16']);
    expect(parseClusterCidrs(' 10.244.0.0/16,fd00::/48 ').map((c) => c.text)).toEqual([
      '10.244.0.0/16',
      'fd00::/48',
    ]);
  });

  it.each([
    ['', 'failed to parse cidr value:"" with error:invalid CIDR address: '],
    ['10.244.0.0', 'failed to parse cidr value:"10.244.0.0"'],
    ['10.244.0.0/33', 'failed to parse cidr value:"10.244.0.0/33"'],
    ['10.0.0.0/8,10.1.0.0/16', 'len of ClusterCIDRs==2 and they are not configured as dual stack'],
    ['10.0.0.0/8,fd00::/48,fd01::/48', 'length of clusterCIDRs is:3 more than max allowed of 2'],
  ])('should reject %j like upstream', (flag, message) => {
    expect(() => parseClusterCidrs(flag)).toThrow(InvalidClusterCidrError);
    expect(() => parseClusterCidrs(flag)).toThrow(message);
  });
});

describe('isResponsibleForRoute', () => {
  const cidrs = parseClusterCidrs('10.244.0.0/16,fd00:10:244::/56');

  it.each([
    ['10.244.3.0/24', true],
    ['10.244.0.0/16', true],
    ['10.0.0.0/8', false], // neither its first nor its last address is inside
    ['10.244.255.0/23', true], // first address inside
    ['10.245.0.0/24', false],
    ['fd00:10:244:1::/64', true],
    ['fd00:10:245::/64', false],
    ['::/0', false],
    ['bogus', false],
  ])('%s → %s', (destination, expected) => {
    expect(isResponsibleForRoute(cidrs, destination)).toBe(expected);
  });
});

describe('isResponsibleForRoute at the edges', () => {
  it('should claim a wider route whose last address is in the cluster CIDR', () => {
    const upperHalf = parseClusterCidrs('10.245.0.0/16');
    expect(isResponsibleForRoute(upperHalf, '10.244.0.0/15')).toBe(true);
    expect(isResponsibleForRoute(upperHalf, '10.246.0.0/15')).toBe(false);
  });
});

describe('sameCidr', () => {
  it('should compare CIDRs by network, not spelling', () => {
    expect(sameCidr('fd00:0:0:1::/64', 'fd00::1:0:0:0:0/64')).toBe(true);
    expect(sameCidr('10.244.1.0/24', '10.244.1.0/25')).toBe(false);
    expect(sameCidr('10.244.1.0/24', '10.244.2.0/24')).toBe(false);
  });
});
