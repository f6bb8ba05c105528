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
