import { bindFirstAvailable, isBindFailure, type Binder } from './bind';

const errno = (code: string) => Object.assign(new Error(code), { code });

/** A binder that fails for the listed address:port pairs with the given code. */
const fakeBinder =
  (failures: Record<string, string>): Binder<string> =>
  (address, port) => {
    const code = failures[`${address}:${port}`];
    return code
      ? Promise.reject(errno(code))
      : Promise.resolve({ handle: `${address}:${port}`, port: port || 40000 });
  };

describe('bindFirstAvailable', () => {
  // The cloud's plan on Linux: the LB's own loopback address, a mapped port when the port is
  // privileged, 127.0.0.1 where 127/8 is not all local (macOS).
  const anyPort = { on: ['EACCES', 'EADDRINUSE'], then: { address: '127.0.0.1', port: 0 } };
  const candidates = {
    address: '127.203.113.7',
    port: 80,
    fallbacks: [
      { on: ['EACCES'], then: { address: '127.203.113.7', port: 10080 } },
      { on: ['EADDRNOTAVAIL'], then: { address: '127.0.0.1', port: 80, fallbacks: [anyPort] } },
    ],
  };

  it('should take the first candidate when it binds', async () => {
    const result = await bindFirstAvailable(candidates, fakeBinder({}));
    expect(result).toEqual({
      handle: '127.203.113.7:80',
      address: '127.203.113.7',
      port: 80,
      message: undefined,
    });
  });

  it('should map a privileged port and say why', async () => {
    const result = await bindFirstAvailable(
      candidates,
      fakeBinder({ '127.203.113.7:80': 'EACCES' }),
    );
    expect(isBindFailure(result)).toBe(false);
    expect(result).toMatchObject({ address: '127.203.113.7', port: 10080 });
    expect((result as { message: string }).message).toMatch(
      /^127\.203\.113\.7:80: ports below \d+ need privileges .*; listening on 127\.203\.113\.7:10080 instead$/,
    );
  });

  it('should skip candidates whose `after` does not name the failure (macOS: only 127.0.0.1)', async () => {
    const result = await bindFirstAvailable(
      candidates,
      fakeBinder({ '127.203.113.7:80': 'EADDRNOTAVAIL', '127.0.0.1:80': 'EACCES' }),
    );
    expect(result).toMatchObject({ address: '127.0.0.1', port: 40000 });
    expect((result as { message: string }).message).toContain('is not an address of this machine');
  });

  it('should report the last failure when nothing binds', async () => {
    const result = await bindFirstAvailable(
      candidates,
      fakeBinder({ '127.203.113.7:80': 'EADDRINUSE' }),
    );
    expect(result).toEqual({
      code: 'EADDRINUSE',
      message: '127.203.113.7:80: address already in use',
    });
  });
});
