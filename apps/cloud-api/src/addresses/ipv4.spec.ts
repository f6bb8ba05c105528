import { DomainError } from '@app/common';
import { cidrContains, formatCidr, intToIpv4, ipv4ToInt, parseIpv4Cidr, splitCidr } from './ipv4';
import { thrownBy } from '@app/testing';

describe('IPv4 helpers', () => {
  it('should convert addresses both ways', () => {
    expect(ipv4ToInt('10.0.1.2')).toBe(167772418);
    expect(intToIpv4(167772418)).toBe('10.0.1.2');
    expect(intToIpv4(ipv4ToInt('255.255.255.255'))).toBe('255.255.255.255');
  });

  it('should split a /16 into /18 subnets for three zones', () => {
    const subnets = splitCidr(parseIpv4Cidr('10.0.0.0/16'), 3).map(formatCidr);
    expect(subnets).toEqual(['10.0.0.0/18', '10.0.64.0/18', '10.0.128.0/18']);
    expect(cidrContains(parseIpv4Cidr('10.0.64.0/18'), ipv4ToInt('10.0.100.1'))).toBe(true);
  });

  it.each(['10.0.0.0', '10.0.0.1/16', '300.0.0.0/8', '10.0.0.0/33', 'banana/8'])(
    'should reject %p naming the field',
    (cidr) => {
      const error = thrownBy(() => parseIpv4Cidr(cidr, 'destinationCidr'));
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).fieldViolations?.[0].field).toBe('destinationCidr');
    },
  );
});
