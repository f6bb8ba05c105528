import { NimbusUpConfig, validateConfig } from '@app/config';
import { upCommand } from './up.command';

/** Parses `argv` with the `nimbus up` options into the validated config (no action). */
function parse(argv: string[]) {
  // The action would start everything: replace it, keep the options.
  const command = upCommand()
    .exitOverride()
    .action(() => undefined);
  command.parse(argv, { from: 'user' });
  return validateConfig(NimbusUpConfig, command.opts());
}

describe('nimbus up --cloud-tls options', () => {
  it('serves the cloud API over plain HTTP by default', () => {
    expect(parse([])).toMatchObject({ cloudTls: 'off', cloudTlsSan: [] });
  });

  it('reads --cloud-tls alone as auto, and the extra names comma-separated or repeated', () => {
    expect(
      parse([
        '--cloud-tls',
        '--cloud-tls-san',
        '192.168.1.20,nimbus.lan',
        '--cloud-tls-san',
        'x.lan',
      ]),
    ).toMatchObject({ cloudTls: 'auto', cloudTlsSan: ['192.168.1.20', 'nimbus.lan', 'x.lan'] });
    expect(parse(['--cloud-tls=off']).cloudTls).toBe('off');
  });

  it('refuses another mode naming the option', () => {
    expect(() => parse(['--cloud-tls=yes'])).toThrow(
      /--cloud-tls \(NIMBUS_CLOUD_TLS\): must be auto or off/,
    );
  });
});

describe('nimbus up --lb-ipv4-pool', () => {
  it("takes the cloud's default pool unless given another", () => {
    expect(parse([]).lbIpv4Pool).toBe('203.0.113.0/24');
    expect(parse(['--lb-ipv4-pool', '203.0.7.0/24']).lbIpv4Pool).toBe('203.0.7.0/24');
  });

  it('refuses what is not an IPv4 CIDR, naming the option', () => {
    expect(() => parse(['--lb-ipv4-pool', '203.0.7.0'])).toThrow(
      /--lb-ipv4-pool \(NIMBUS_LB_IPV4_POOL\): must be an IPv4 CIDR/,
    );
  });
});

describe('nimbus up --data-plane-thread', () => {
  it('forwards in a worker thread unless told otherwise', () => {
    expect(parse([]).dataPlaneThread).toBe(true);
    expect(parse(['--data-plane-thread=false']).dataPlaneThread).toBe(false);
    expect(parse(['--data-plane-thread']).dataPlaneThread).toBe(true);
  });

  it('refuses what is not a boolean, naming the option', () => {
    expect(() => parse(['--data-plane-thread=maybe'])).toThrow(/--data-plane-thread/);
  });
});
