import { X509Certificate } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@app/testing';
import {
  ensureServingCertificates,
  keyMatches,
  type ServingCertificateSpec,
} from './serving-certificates';
import { servingNames } from './serving-names';

describe('ensureServingCertificates', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir('nimbus-tls-')));
  afterEach(() => dir.remove());

  const spec = (overrides: Partial<ServingCertificateSpec> = {}): ServingCertificateSpec => ({
    dir: join(dir.path, 'data'),
    caName: 'test-ca',
    servingName: 'test-server',
    caCommonName: 'test-ca',
    commonName: 'test-server',
    names: servingNames('127.0.0.1', ['nimbus.example', '192.0.2.10']),
    ...overrides,
  });
  const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

  it('generates a CA and a serving certificate it signed, naming every host; keys and dir owner-only', async () => {
    const certs = await ensureServingCertificates(spec());

    expect(certs.serving).toBe('generated');
    const ca = new X509Certificate(certs.caCert);
    const serving = new X509Certificate(certs.cert);
    expect(ca.ca).toBe(true);
    expect(serving.ca).toBe(false);
    expect(serving.checkIssued(ca) && serving.verify(ca.publicKey)).toBe(true);
    expect(keyMatches(certs.cert, certs.key)).toBe(true);
    for (const ip of ['127.0.0.1', '::1', '192.0.2.10']) {
      expect(serving.checkIP(ip)).toBe(ip);
    }
    expect(serving.checkHost('localhost')).toBe('localhost');
    expect(serving.checkHost('nimbus.example')).toBe('nimbus.example');
    expect(serving.checkHost('other.example')).toBeUndefined();
    const files = certs.files!;
    expect({
      dir: mode(join(dir.path, 'data')),
      caKey: mode(files.caKey),
      key: mode(files.key),
    }).toEqual({ dir: '700', caKey: '600', key: '600' });
    expect(readFileSync(files.caCert, 'utf8')).toBe(certs.caCert);
  });

  it('reuses both on the next start, and issues the serving certificate again from the same CA for a new name', async () => {
    const first = await ensureServingCertificates(spec());
    const again = await ensureServingCertificates(spec());
    expect(again).toMatchObject({ serving: 'reused', caCert: first.caCert, cert: first.cert });

    const wider = await ensureServingCertificates(
      spec({ names: servingNames('127.0.0.1', ['nimbus.example', '192.0.2.10', '198.51.100.7']) }),
    );

    expect(wider.serving).toBe('reissued');
    expect(wider.reason).toBe('it does not name 198.51.100.7');
    expect(wider.caCert).toBe(first.caCert);
    expect(new X509Certificate(wider.cert).checkIP('198.51.100.7')).toBe('198.51.100.7');
  });

  it('issues the serving certificate again when it expires within 90 days', async () => {
    await ensureServingCertificates(spec());
    const later = new Date(Date.now() + 300 * 86_400_000);

    const renewed = await ensureServingCertificates(spec({ now: later }));

    expect(renewed.serving).toBe('reissued');
    expect(renewed.reason).toMatch(/^it expires on /);
  });

  it('refuses a CA whose key is not its own instead of replacing it', async () => {
    const first = await ensureServingCertificates(spec());
    const inMemory = await ensureServingCertificates(spec({ dir: undefined }));
    expect(inMemory.files).toBeUndefined();
    writeFileSync(first.files!.caKey, inMemory.key);

    await expect(ensureServingCertificates(spec())).rejects.toThrow(
      /are not a certificate and its key: delete both/,
    );
    expect(readFileSync(first.files!.caCert, 'utf8')).toBe(first.caCert);
  });

  it('tightens the mode of a key file a loose umask or an older version left readable', async () => {
    const first = await ensureServingCertificates(spec());
    writeFileSync(first.files!.key, 'not a key');
    chmodSync(first.files!.key, 0o644);

    const fixed = await ensureServingCertificates(spec());

    expect(fixed.reason).toBe('its key does not match it');
    expect(mode(first.files!.key)).toBe('600');
  });
});
