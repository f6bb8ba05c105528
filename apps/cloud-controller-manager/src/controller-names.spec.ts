import { isControllerEnabled, unknownControllers } from './controller-names';

describe('--controllers (upstream IsControllerEnabled)', () => {
  const known = ['cloud-node', 'cloud-node-lifecycle', 'service', 'route'];

  it('enables everything with *, and nothing without it unless named', () => {
    expect(known.every((n) => isControllerEnabled(n, ['*']))).toBe(true);
    expect(isControllerEnabled('route', ['service'])).toBe(false);
    expect(isControllerEnabled('service', ['service'])).toBe(true);
  });

  it('disables with -name, full names and aliases alike; the first explicit entry wins', () => {
    expect(isControllerEnabled('route', ['*', '-route'])).toBe(false);
    expect(isControllerEnabled('route', ['*', '-node-route-controller'])).toBe(false);
    expect(isControllerEnabled('service', ['*', '-route'])).toBe(true);
    expect(isControllerEnabled('route', ['route', '-route'])).toBe(true);
    expect(isControllerEnabled('route', ['-route', 'route'])).toBe(false);
    expect(isControllerEnabled('cloud-node', ['cloud-node-controller'])).toBe(true);
  });

  it('reports unknown names', () => {
    expect(unknownControllers(['*', '-route', 'service-lb-controller'], known)).toEqual([]);
    expect(unknownControllers(['nope', '-bad'], known)).toEqual(['nope', 'bad']);
  });
});
