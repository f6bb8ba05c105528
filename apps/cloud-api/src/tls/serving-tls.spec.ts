import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { CloudApiConfig, ConfigError, collectNames, validateConfig } from '@app/config';
import { tempDir } from '@app/testing';
import { ensureServingCertificates, servingNames } from '@app/tls';
import { plainHttpWarning, resolveServingTls } from './serving-tls';

describe('cloud API --tls flags', () => {
  const dir = tempDir('nimbus-serving-tls-');
  let certFile: string;
  let keyFile: string;

  beforeAll(async () => {
    const own = await ensureServingCertificates({
      dir: join(dir.path, 'own'),
      caName: 'ca',
      servingName: 'server',
      caCommonName: 'my-ca',
      commonName: 'my-server',
      names: servingNames('127.0.0.1'),
    });
    certFile = own.files!.cert;
    keyFile = own.files!.key;
  });
  afterAll(() => dir.remove());

  const config = (options: Record<string, unknown>) =>
    validateConfig(CloudApiConfig, { dataDir: join(dir.path, 'data'), ...options });
  const refusal = async (options: Record<string, unknown>) => {
    const error = await resolveServingTls(config(options)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  };

  it('parses --tls alone as auto and --tls-san as a list (comma-separated or repeated)', () => {
    const command = new Command('cloud-api')
      .exitOverride()
      .option('--tls [mode]')
      .option('--tls-san <names>', '', collectNames);
    command.parse(['--tls', '--tls-san', 'a.example,192.0.2.1', '--tls-san', 'b.example'], {
      from: 'user',
    });

    expect(validateConfig(CloudApiConfig, command.opts())).toMatchObject({
      tls: 'auto',
      tlsSan: ['a.example', '192.0.2.1', 'b.example'],
    });
    expect(validateConfig(CloudApiConfig, { tlsSan: 'x.example, y.example' }).tlsSan).toEqual([
      'x.example',
      'y.example',
    ]);
  });

  it('refuses an unknown --tls mode naming the option', () => {
    expect(() => validateConfig(CloudApiConfig, { tls: 'on' })).toThrow(/tls.*must be auto or off/);
  });

  it('serves plain HTTP by default and with --tls off', async () => {
    await expect(resolveServingTls(config({}))).resolves.toBeUndefined();
    await expect(resolveServingTls(config({ tls: 'off' }))).resolves.toBeUndefined();
  });

  it('loads the user certificate and key', async () => {
    const tls = await resolveServingTls(config({ tlsCert: certFile, tlsKey: keyFile }));

    expect(tls).toMatchObject({ mode: 'files', certFile, keyFile, warnings: [] });
    expect(tls?.caFile).toBeUndefined();
  });

  it('warns when the user certificate does not name the listen host', async () => {
    const tls = await resolveServingTls(
      config({ tlsCert: certFile, tlsKey: keyFile, host: '192.0.2.44' }),
    );

    expect(tls?.warnings).toEqual([
      '--tls-cert: the certificate does not name 192.0.2.44: clients dialling it will refuse it',
    ]);
  });

  it.each([
    [{ tlsCert: 'c.pem' }, /^--tls-key \(NIMBUS_TLS_KEY\) is required with --tls-cert$/],
    [{ tlsKey: 'k.pem' }, /^--tls-cert \(NIMBUS_TLS_CERT\) is required with --tls-key$/],
    [{ tlsSan: ['a.example'] }, /^--tls-san \(NIMBUS_TLS_SAN\): .*use it with --tls auto$/],
    [{ tls: 'auto', tlsSan: ['bad name!'] }, /"bad name!" is neither an IP address nor a DNS name/],
    [{ tlsCert: '/nonexistent/c.pem', tlsKey: 'k.pem' }, /^--tls-cert .*cannot read .*ENOENT/],
  ])('refuses %j with a message naming the option', async (options, message) => {
    expect(await refusal(options)).toMatch(message);
  });

  it('refuses --tls together with --tls-cert/--tls-key', async () => {
    expect(await refusal({ tls: 'auto', tlsCert: certFile, tlsKey: keyFile })).toMatch(
      /^--tls \(NIMBUS_TLS\): auto cannot be combined with --tls-cert\/--tls-key/,
    );
  });

  it('refuses a file without a certificate, a key of another certificate and an encrypted key', async () => {
    const notPem = join(dir.path, 'not.pem');
    writeFileSync(notPem, 'hello');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const otherKey = join(dir.path, 'other.key');
    writeFileSync(otherKey, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const encrypted = join(dir.path, 'encrypted.key');
    writeFileSync(
      encrypted,
      privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'secret',
      }),
    );

    expect(await refusal({ tlsCert: notPem, tlsKey: keyFile })).toMatch(
      /--tls-cert \(NIMBUS_TLS_CERT\): .*not\.pem holds no PEM certificate/,
    );
    expect(await refusal({ tlsCert: certFile, tlsKey: otherKey })).toMatch(
      /--tls-key \(NIMBUS_TLS_KEY\): the key in .*other\.key does not belong to the certificate/,
    );
    expect(await refusal({ tlsCert: certFile, tlsKey: encrypted })).toMatch(
      /--tls-key \(NIMBUS_TLS_KEY\): .*encrypted\.key is encrypted/,
    );
  });

  it('warns about plain HTTP beyond loopback only', () => {
    expect(plainHttpWarning('127.0.0.1')).toBeUndefined();
    expect(plainHttpWarning('localhost')).toBeUndefined();
    expect(plainHttpWarning('::1')).toBeUndefined();
    expect(plainHttpWarning('0.0.0.0')).toMatch(/bearer tokens cross the network in clear text/);
  });
});
