import { hostAddressOf, hostBlockOf, hostBlocksOverlap } from './host-address';

describe('hostAddressOf', () => {
  it.each([
    ['10.0.1.5', '127.10.1.5'],
    ['203.0.113.7', '127.203.113.7'],
    ['10.244.1.2', '127.244.1.2'],
    ['10.96.0.10', '127.96.0.10'],
    ['172.18.0.2', '127.18.0.2'],
    ['127.0.0.1', '127.0.0.1'],
  ])('should map %s to %s', (cloud, host) => {
    expect(hostAddressOf(cloud)).toBe(host);
  });

  it.each(['2001:db8::1', '10.0.1', '10.0.1.256', '010.0.1.5', '0.1.2.3', ''])(
    'should give no host address for %p',
    (text) => {
      expect(hostAddressOf(text)).toBeUndefined();
    },
  );

  it('should be one-to-one inside a /16', () => {
    const seen = new Set<string>();
    for (let c = 0; c < 256; c++) {
      for (let d = 0; d < 256; d += 17) {
        seen.add(hostAddressOf(`10.244.${c}.${d}`)!);
      }
    }
    expect(seen.size).toBe(256 * 16);
  });
});

describe('hostBlockOf / hostBlocksOverlap', () => {
  it('should map a CIDR of /16 or smaller to its loopback block', () => {
    expect(hostBlockOf('203.0.113.0/24')).toEqual({ base: '127.203.113.0', prefix: 24 });
    expect(hostBlockOf('10.0.0.0/8')).toBeUndefined();
  });

  it('should tell the default pools apart', () => {
    expect(hostBlocksOverlap('10.0.0.0/16', '203.0.113.0/24')).toBe(false);
    expect(hostBlocksOverlap('10.0.0.0/16', '10.244.0.0/16')).toBe(false);
  });

  it('should find pools that land on the same host addresses', () => {
    expect(hostBlocksOverlap('10.244.0.0/16', '192.244.7.0/24')).toBe(true);
    expect(hostBlocksOverlap('10.0.0.0/16', '10.0.0.0/24')).toBe(true);
  });
});
