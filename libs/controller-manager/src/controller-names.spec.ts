import { ControllerNames } from './controller-names';

const names = new ControllerNames([
  { name: 'node-lifecycle-controller', aliases: ['nodelifecycle'] },
  { name: 'ttl-controller', aliases: ['ttl'] },
  { name: 'bootstrap-signer-controller', disabledByDefault: true },
]);

describe('--controllers (k8s.io/controller-manager)', () => {
  it('enables everything but the disabled-by-default ones with *', () => {
    expect(names.isEnabled('ttl-controller', ['*'])).toBe(true);
    expect(names.isEnabled('bootstrap-signer-controller', ['*'])).toBe(false);
    expect(
      names.isEnabled('bootstrap-signer-controller', ['*', 'bootstrap-signer-controller']),
    ).toBe(true);
  });

  it('accepts aliases; the first explicit entry wins', () => {
    expect(names.isEnabled('node-lifecycle-controller', ['*', '-nodelifecycle'])).toBe(false);
    expect(names.isEnabled('ttl-controller', ['ttl'])).toBe(true);
    expect(names.isEnabled('ttl-controller', ['nodelifecycle'])).toBe(false);
    expect(names.isEnabled('ttl-controller', ['-ttl', 'ttl'])).toBe(false);
  });

  it('reports unknown names', () => {
    expect(names.unknown(['*', '-ttl', 'nodelifecycle', 'nope', '-bad'])).toEqual(['nope', 'bad']);
  });
});
