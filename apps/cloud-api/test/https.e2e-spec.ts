import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  cloudClientTlsFromFlags,
  INSECURE_TLS_WARNING,
  NimbusCloudClient,
  TlsError,
  type CloudClientOptions,
} from '@app/cloud-client';
import { AdjustableClock } from '@app/common';
import { CloudApiConfig, CloudControllerManagerConfig, validateConfig } from '@app/config';
import { tempDir } from '@app/testing';
import { ensureServingCertificates, servingNames } from '@app/tls';
import { startCloudApi, type RunningCloudApi } from '../src/start-cloud-api';
import { ADMIN_TOKEN, TOKEN } from './cloud-api-harness';

// The cloud API over HTTPS with a CA it generates in its data dir (`--tls auto`), and the clients
// that talk to it: trusting that CA, refusing any other certificate, or told to skip verification.
describe('cloud API over HTTPS (e2e)', () => {
  const dir = tempDir('nimbus-cloud-https-');
  const config = validateConfig(CloudApiConfig, {
    dataDir: dir.path,
    port: 0,
    logLevel: 'silent',
    token: TOKEN,
    adminToken: ADMIN_TOKEN,
    tls: 'auto',
  });
  let server: RunningCloudApi;
  let caFile: string;

  beforeAll(async () => {
    const clock = new AdjustableClock();
    clock.freeze();
    server = await startCloudApi(config, { clock });
    caFile = join(dir.path, 'cloud-ca.crt');
  });

  afterAll(async () => {
    await server?.close();
    dir.remove();
  });

  /** A client that never sleeps between retries and counts them. */
  const client = (options: Partial<CloudClientOptions> = {}) => {
    const retries: unknown[] = [];
    const cloud = new NimbusCloudClient({
      baseUrl: server.url,
      token: TOKEN,
      sleep: () => Promise.resolve(),
      onRetry: (retry) => retries.push(retry),
      ...options,
    });
    return { cloud, retries };
  };

  it('serves HTTPS with a CA kept in the data dir, its keys owner-only', () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.tls).toMatchObject({ mode: 'auto', caFile });
    expect(server.tls).not.toHaveProperty('key');
    const mode = (file: string) => (statSync(join(dir.path, file)).mode & 0o777).toString(8);
    expect({ ca: mode('cloud-ca.key'), serving: mode('cloud-api.key') }).toEqual({
      ca: '600',
      serving: '600',
    });
  });

  it('lets a client that trusts the CA (--cloud-ca-file, as the CCM parses it) create and list', async () => {
    const flags = validateConfig(CloudControllerManagerConfig, {
      cloudUrl: server.url,
      cloudToken: TOKEN,
      cloudCaFile: caFile,
    });
    const { cloud } = client({ tls: cloudClientTlsFromFlags(flags) });

    const { instance } = await cloud.instances.create({
      name: 'over-tls',
      zone: 'nimbus-1a',
      instanceType: 'nb.small',
    });

    expect((await cloud.instances.findByName('over-tls')).map((i) => i.id)).toEqual([instance.id]);
  });

  it('refuses the certificate without the CA (system roots) at once, naming the fix', async () => {
    const { cloud, retries } = client();

    const error = await cloud.instances.findByName('any').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).detail).toMatch(/not trusted.*--cloud-ca-file/);
    expect(retries).toEqual([]); // waiting does not fix a certificate
  });

  it('refuses the certificate when the client trusts another CA', async () => {
    const other = tempDir('nimbus-other-ca-');
    try {
      await ensureServingCertificates({
        dir: other.path,
        caName: 'cloud-ca',
        servingName: 'cloud-api',
        caCommonName: 'someone-else-ca',
        commonName: 'someone-else',
        names: servingNames('127.0.0.1'),
      });
      const { cloud, retries } = client({
        tls: cloudClientTlsFromFlags({ cloudCaFile: join(other.path, 'cloud-ca.crt') }),
      });

      const error = await cloud.instances.findByName('any').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TlsError);
      expect(retries).toEqual([]);
    } finally {
      other.remove();
    }
  });

  it('refuses a certificate that does not name the host dialled', async () => {
    const other = tempDir('nimbus-elsewhere-');
    const elsewhere = await ensureServingCertificates({
      dir: other.path,
      caName: 'ca',
      servingName: 'server',
      caCommonName: 'elsewhere-ca',
      commonName: 'elsewhere',
      names: { dnsNames: ['elsewhere.example'], ips: [] },
    });
    const https = createHttpsServer({ cert: elsewhere.cert, key: elsewhere.key }, (_req, res) =>
      res.end('{}'),
    );
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = https.address() as AddressInfo;
      const { cloud, retries } = client({
        baseUrl: `https://127.0.0.1:${port}`,
        tls: { ca: elsewhere.caCert },
      });

      const error = await cloud.instances.findByName('any').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TlsError);
      expect((error as TlsError).detail).toMatch(/does not name the host dialled/);
      expect(retries).toEqual([]);
    } finally {
      https.closeAllConnections();
      await new Promise((resolve) => https.close(resolve));
      other.remove();
    }
  });

  it('skips verification only when told to, and warns', async () => {
    const warnings: string[] = [];
    const { cloud } = client({
      tls: cloudClientTlsFromFlags({ cloudInsecureSkipTlsVerify: true }),
      warn: (message) => warnings.push(message),
    });

    await expect(cloud.instances.findByName('over-tls')).resolves.toHaveLength(1);
    expect(warnings).toEqual([INSECURE_TLS_WARNING]);
  });

  it('keeps the CA across a restart, so clients that trust it keep working', async () => {
    const caBefore = readFileSync(caFile, 'utf8');
    await server.close();
    server = await startCloudApi(config);

    const { cloud } = client({ tls: { ca: readFileSync(caFile, 'utf8') } });

    expect(readFileSync(caFile, 'utf8')).toBe(caBefore);
    await expect(cloud.instances.findByName('over-tls')).resolves.toHaveLength(1);
  });

  it('tells an https:// client that the server speaks plain HTTP', async () => {
    const plain: Server = createServer((_req, res) => res.end('plain'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = plain.address() as AddressInfo;
      const { cloud } = client({
        baseUrl: `https://127.0.0.1:${port}`,
        tls: { ca: readFileSync(caFile, 'utf8') },
      });

      const error = await cloud.instances.findByName('any').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TlsError);
      expect((error as TlsError).detail).toMatch(/does not speak HTTPS/);
    } finally {
      plain.closeAllConnections();
      await new Promise((resolve) => plain.close(resolve));
    }
  });
});
