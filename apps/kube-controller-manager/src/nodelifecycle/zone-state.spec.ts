import { computeZoneState, zoneEvictionRate, zoneKeyOf } from './zone-state';

const c = (status: string) => ({ type: 'Ready', status });
const rates = {
  nodeEvictionRate: 0.1,
  secondaryNodeEvictionRate: 0.01,
  largeClusterSizeThreshold: 50,
};

describe('zone disruption', () => {
  it('classifies zones like ComputeZoneState', () => {
    expect(computeZoneState([c('Unknown')], 0.55).state).toBe('FullDisruption');
    expect(computeZoneState([c('True'), c('Unknown')], 0.55).state).toBe('Normal');
    expect(computeZoneState([c('True'), c('False'), c('Unknown'), c('Unknown')], 0.55).state).toBe(
      'PartialDisruption',
    );
    expect(
      computeZoneState(
        [c('True'), c('True'), c('Unknown'), c('Unknown'), c('Unknown'), c('True'), c('True')],
        0.55,
      ),
    ).toEqual({
      unhealthy: 3,
      state: 'Normal',
    });
    expect(computeZoneState([undefined, undefined], 0.55).state).toBe('FullDisruption');
  });

  it('sets the tainting rate per state (stopped in small partially disrupted zones)', () => {
    expect(zoneEvictionRate('Normal', 3, rates)).toBe(0.1);
    expect(zoneEvictionRate('FullDisruption', 3, rates)).toBe(0.1);
    expect(zoneEvictionRate('PartialDisruption', 3, rates)).toBe(0);
    expect(zoneEvictionRate('PartialDisruption', 60, rates)).toBe(0.01);
  });

  it('keys zones by region and zone labels', () => {
    expect(
      zoneKeyOf({
        metadata: {
          labels: { 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'z' },
        },
      }),
    ).toBe('r:\x00:z');
    expect(
      zoneKeyOf({ metadata: { labels: { 'failure-domain.beta.kubernetes.io/zone': 'z' } } }),
    ).toBe(':\x00:z');
    expect(zoneKeyOf({ metadata: {} })).toBe('');
  });
});
