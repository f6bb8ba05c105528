import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@app/config';
import { tempDir, thrownBy } from '@app/testing';
import { ensureServingCertificates, servingNames } from '@app/tls';
import { cloudClientTlsFromFlags } from './tls-from-flags';

describe('cloudClientTlsFromFlags', () => {
  const dir = tempDir('nimbus-client-tls-');
  afterAll(() => dir.remove());

  it('uses the system roots without flags', () => {
    expect(cloudClientTlsFromFlags({})).toBeUndefined();
  });

  it('reads the CA bundle of --cloud-ca-file', async () => {
    const certs = await ensureServingCertificates({
      dir: dir.path,
      caName: 'ca',
      servingName: 'server',
      caCommonName: 'ca',
      commonName: 'server',
      names: servingNames('127.0.0.1'),
    });

    expect(cloudClientTlsFromFlags({ cloudCaFile: certs.files!.caCert })).toEqual({
      ca: certs.caCert,
    });
  });

  it('skips verification with --cloud-insecure-skip-tls-verify', () => {
    expect(cloudClientTlsFromFlags({ cloudInsecureSkipTlsVerify: true })).toEqual({
      insecureSkipVerify: true,
    });
  });

  it.each([
    [
      { cloudCaFile: 'ca.crt', cloudInsecureSkipTlsVerify: true },
      /^--cloud-insecure-skip-tls-verify .*cannot be combined with --cloud-ca-file/,
    ],
    [
      { cloudCaFile: '/nonexistent/ca.crt' },
      /^--cloud-ca-file \(NIMBUS_CLOUD_CA_FILE\): cannot read/,
    ],
  ])('refuses %j naming the option', (flags, message) => {
    const error = thrownBy(() => cloudClientTlsFromFlags(flags));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a CA file without a PEM certificate', () => {
    const file = join(dir.path, 'empty.crt');
    writeFileSync(file, '');

    expect(() => cloudClientTlsFromFlags({ cloudCaFile: file })).toThrow(
      /--cloud-ca-file \(NIMBUS_CLOUD_CA_FILE\): .*empty\.crt holds no PEM certificate/,
    );
  });
});
