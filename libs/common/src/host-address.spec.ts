import { hostAddressOf, hostBlockOf, hostBlocksOverlap, hostRangesOf } from './host-address';

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

describe('hostRangesOf', () => {
  it('should map a /16 or smaller to its one host block', () => {
    expect(hostRangesOf('198.51.100.0/24')).toEqual(['127.51.100.0/24']);
    expect(hostRangesOf('10.0.1.5/32')).toEqual(['127.10.1.5/32']);
    expect(hostRangesOf('10.0.0.0/16')).toEqual(['127.10.0.0/16']);
  });

  it('should map a wider range to the 127.X blocks its second octets reach', () => {
    expect(hostRangesOf('10.16.0.0/12')).toEqual(['127.16.0.0/12']);
    // b = 0..3: 127.1, 127.2-3 and (for b = 0) 127.10
    expect(hostRangesOf('10.0.0.0/14')).toEqual(['127.1.0.0/16', '127.2.0.0/15', '127.10.0.0/16']);
    expect(hostRangesOf('10.0.0.0/8')).toEqual([
      '127.1.0.0/16',
      '127.2.0.0/15',
      '127.4.0.0/14',
      '127.8.0.0/13',
      '127.16.0.0/12',
      '127.32.0.0/11',
      '127.64.0.0/10',
      '127.128.0.0/9',
    ]);
  });

  it('should have no host ranges for IPv6 or bad input', () => {
    expect(hostRangesOf('2001:db8::/32')).toEqual([]);
    expect(hostRangesOf('10.0.0.0')).toEqual([]);
  });

  it('should contain the host address of every address of the range (sampled)', () => {
    const inRange = (ip: string, cidr: string) => {
      const [base, p] = cidr.split('/');
      const v = (s: string) => s.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
      const size = 2 ** (32 - Number(p));
      return Math.floor(v(ip) / size) === Math.floor(v(base) / size);
    };
    for (const [cidr, samples] of [
      ['10.0.0.0/14', ['10.0.0.1', '10.1.2.3', '10.3.255.254']],
      ['172.16.0.0/12', ['172.16.0.1', '172.31.9.9']],
      ['10.0.0.0/8', ['10.0.9.9', '10.200.1.1']],
    ] as const) {
      const ranges = hostRangesOf(cidr);
      for (const ip of samples) {
        expect(ranges.some((r) => inRange(hostAddressOf(ip)!, r))).toBe(true);
      }
      expect(ranges.some((r) => inRange('127.0.0.1', r))).toBe(false);
    }
  });
});
