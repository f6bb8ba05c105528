import { ConfigError } from '@app/config';
import { parseClusterCidrs } from './cluster-cidr';

describe('parseClusterCidrs (upstream processCIDRs)', () => {
  it('accepts one CIDR or a dual-stack pair', () => {
    expect(parseClusterCidrs('10.244.0.0/16').map((c) => c.family)).toEqual(['IPv4']);
    expect(parseClusterCidrs('10.244.0.0/16, fd00:10:244::/56').map((c) => c.family)).toEqual([
      'IPv4',
      'IPv6',
    ]);
  });

  it.each([
    ['', /no CIDR/],
    ['10.244.0.0/33', /not a valid CIDR/],
    ['banana', /not a valid CIDR/],
    ['10.0.0.0/16,10.1.0.0/16', /dual-stack/],
    ['10.0.0.0/16,fd00::/56,10.1.0.0/16', /at most 2/],
  ])('refuses %p', (text, message) => {
    expect(() => parseClusterCidrs(text)).toThrow(ConfigError);
    expect(() => parseClusterCidrs(text)).toThrow(message);
  });
});
