import { parseProviderID } from './provider-id';
import { parseRouteDescription, routeDescription, routeName } from './routes';
import { labelValue } from './options';
import { canonicalCidr } from './net';

describe('parseProviderID', () => {
  it('should parse the cloud form and the short form', () => {
    expect(parseProviderID('nimbus://default/nimbus-1a/i-0a1b')).toEqual({
      project: 'default',
      zone: 'nimbus-1a',
      instanceId: 'i-0a1b',
    });
    expect(parseProviderID('nimbus://i-0a1b')).toEqual({ instanceId: 'i-0a1b' });
  });

  it.each([
    '',
    'aws:///us-east-1a/i-1',
    'nimbus://',
    'nimbus://a/b',
    'nimbus://a//c',
    'nimbus://a/b/c/d',
  ])('should reject %p', (id) => {
    expect(() => parseProviderID(id)).toThrow(/not a Nimbus provider ID/);
  });
});

describe('route names', () => {
  const uid = '0b9d4c5f-a6b7-4c8d-9e0f-1a2b3c4d5e6f';

  it('should be the cluster and the node UID, with -v6 for IPv6, as a DNS-1123 label', () => {
    expect(routeName('kubernetes', uid, '10.244.1.0/24')).toBe(`kubernetes-${uid}`);
    expect(routeName('kubernetes', uid, '2001:db8::/64')).toBe(`kubernetes-${uid}-v6`);
    const long = routeName('My_Very.Long Cluster Name Of Many Words', uid, '2001:db8::/64');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(long.endsWith(`-${uid}-v6`)).toBe(true);
  });

  it('should round-trip the ownership description', () => {
    expect(parseRouteDescription(routeDescription('prod', 'node-1'))).toEqual({
      clusterName: 'prod',
      nodeName: 'node-1',
    });
    expect(parseRouteDescription('k8s-node-route')).toBeUndefined();
    expect(parseRouteDescription(undefined)).toBeUndefined();
  });
});

describe('helpers', () => {
  it('should make label values of cluster names', () => {
    expect(labelValue('kubernetes')).toBe('kubernetes');
    expect(labelValue('-my cluster/1-')).toBe('my-cluster-1');
    expect(labelValue('x'.repeat(80))).toHaveLength(63);
  });

  it('should canonicalise CIDRs', () => {
    expect(canonicalCidr('10.1.2.3/8')).toBe('10.0.0.0/8');
    expect(canonicalCidr('2001:DB8:0:0::1/64')).toBe('2001:db8::/64');
    expect(canonicalCidr('10.0.0.0/33')).toBeUndefined();
    expect(canonicalCidr('10.0.0/8')).toBeUndefined();
    expect(canonicalCidr('10.0.0.0')).toBeUndefined();
  });
});
