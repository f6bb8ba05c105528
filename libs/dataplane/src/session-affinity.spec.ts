import { AffinityTable } from './session-affinity';

describe('AffinityTable', () => {
  const clock = { t: 0, now: () => clock.t };

  it('should keep a pin until the client was idle for the timeout, refreshed by use', () => {
    clock.t = 0;
    const table = new AffinityTable(1000, clock);
    table.pin('10.0.0.1', 'a');
    clock.t = 999;
    expect(table.lookup('10.0.0.1')).toBe('a');
    table.touch('10.0.0.1', 'a');
    clock.t = 1998;
    expect(table.lookup('10.0.0.1')).toBe('a');
    clock.t = 1999;
    expect(table.lookup('10.0.0.1')).toBeUndefined();
  });

  it('should not refresh a pin for another backend and forget the pins of a backend that left', () => {
    clock.t = 0;
    const table = new AffinityTable(1000, clock);
    table.pin('c1', 'a');
    table.pin('c2', 'b');
    clock.t = 600;
    table.touch('c1', 'b');
    clock.t = 1000;
    expect(table.lookup('c1')).toBeUndefined();
    table.pin('c3', 'b');
    table.forgetBackend('b');
    expect(table.lookup('c3')).toBeUndefined();
  });

  it('should drop expired pins on sweep', () => {
    clock.t = 0;
    const table = new AffinityTable(10, clock);
    table.pin('c1', 'a');
    table.pin('c2', 'a');
    clock.t = 5;
    table.touch('c2', 'a');
    clock.t = 12;
    table.sweep();
    expect(table.size).toBe(1);
  });
});
