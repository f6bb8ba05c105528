import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostAddressOf } from '@app/common';
import { CloudApiConfig, KubeApiServerConfig, validateConfig } from '@app/config';
import type { LoadBalancerDto } from '@app/cloud-contracts';
import { NimbusCloudClient } from '@app/cloud-client';
import { KubeClient, loadKubeConfig } from '@app/kube-client';
import {
  startEchoBackends,
  tempDir,
  udpRequest,
  waitFor,
  whoAnswers,
  type EchoBackend,
} from '@app/testing';
import { startCloudApi, type RunningCloudApi } from '../../../cloud-api/src/start-cloud-api';
import { startKubeApiServer, type RunningKubeApiServer } from '../../../kube-apiserver/src';
import { buildProgram } from '../program';
import { serviceReader } from '../commands/lb-address.command';
import { CCM_TOKEN_FILE } from '../up/ccm-cloud-token';
import { recordCloudUrl } from '../up/cloud-url-file';
import { resolveLbAddress, type LbAddressDeps } from './resolve-lb-address';

jest.setTimeout(60_000);

const TOKEN = 'lb-address-test-token-0001';
const rand = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/**
 * `nimbus lb-address` against a real cloud API (random LB pool and network, so parallel runs do
 * not meet) and the built-in api-server holding a LoadBalancer Service whose ingress IP is the
 * load balancer's (as the CCM would have written it).
 */
describe('nimbus lb-address (e2e)', () => {
  const dir = tempDir('nimbus-lb-address-');
  let cloud: RunningCloudApi;
  let apiserver: RunningKubeApiServer;
  let client: NimbusCloudClient;
  let kube: KubeClient;
  let backends: EchoBackend[];
  let lb: LoadBalancerDto;
  let deps: LbAddressDeps;

  beforeAll(async () => {
    cloud = await startCloudApi(
      validateConfig(CloudApiConfig, {
        port: 0,
        dataDir: ':memory:',
        logLevel: 'silent',
        token: TOKEN,
        transitionMs: 0,
        lbIpv4Pool: `203.0.${rand(1, 254)}.0/24`,
        networkCidr: `10.${rand(100, 149)}.0.0/16`,
      }),
    );
    apiserver = await startKubeApiServer(
      validateConfig(KubeApiServerConfig, { port: 0, dataDir: dir.path, logLevel: 'silent' }),
    );
    client = new NimbusCloudClient({ baseUrl: cloud.url, token: TOKEN });
    kube = new KubeClient(loadKubeConfig(apiserver.kubeconfigPath));
    const { instance } = await client.instances.create({
      name: 'worker-1',
      zone: 'nimbus-1a',
      instanceType: 'nb.small',
    });
    backends = await startEchoBackends(
      [{ name: 'worker-1', address: hostAddressOf(instance.privateIp)! }],
      { udp: true },
    );
    const created = await client.loadBalancers.create({
      name: 'web',
      region: 'nimbus-1',
      listeners: [
        { protocol: 'TCP', port: 80, targetPort: backends[0].port },
        { protocol: 'UDP', port: 53, targetPort: backends[0].port },
      ],
      backends: [{ instanceId: instance.id }],
    });
    lb = await waitFor(async () => {
      const x = await client.loadBalancers.get(created.loadBalancer.id);
      return x.dataPlane.state === 'serving' ? x : undefined;
    }, 'the load balancer to serve');
    await kube.core.createNamespacedService({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: {
          type: 'LoadBalancer',
          selector: { app: 'web' },
          ports: [
            { name: 'http', port: 80, protocol: 'TCP' },
            { name: 'dns', port: 53, protocol: 'UDP' },
          ],
        },
      },
    });
    await kube.services.patchLoadBalancerStatus('default', 'web', {
      ingress: [{ ip: lb.publicIps[0].ip, ipMode: 'VIP' }],
    });
    await kube.core.createNamespacedService({
      namespace: 'default',
      body: {
        metadata: { name: 'pending' },
        spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
      },
    });
    deps = {
      getLoadBalancer: (id) => client.loadBalancers.get(id),
      listLoadBalancers: () => client.loadBalancers.listAll(),
      getService: serviceReader(apiserver.kubeconfigPath),
    };
  });

  afterAll(async () => {
    await Promise.all((backends ?? []).map((b) => b.stop()));
    await cloud?.close();
    await apiserver?.close();
    dir.remove();
  });

  const tcp = () => lb.dataPlane.ports.find((p) => p.protocol === 'TCP')!;

  it('should print host:port of a Service through its ingress IP, and it answers', async () => {
    const result = await resolveLbAddress('web', {}, deps);
    expect(result.text).toBe(`${hostAddressOf(lb.publicIps[0].ip)}:${tcp().hostPort}`);
    const [host, port] = result.text.split(':');
    expect(await whoAnswers(host, Number(port))).toBe('worker-1');
  });

  it('should take the Service port and protocol, namespace/name, an lb- id or the IP', async () => {
    const udp = await resolveLbAddress('default/web', { protocol: 'UDP' }, deps);
    expect(await udpRequest(udp.address, udp.port, 'hi')).toBe('worker-1:hi');
    expect((await resolveLbAddress('web', { port: 53 }, deps)).port).toBe(udp.port);
    expect((await resolveLbAddress(lb.id, {}, deps)).text).toBe(
      (await resolveLbAddress(lb.publicIps[0].ip, {}, deps)).text,
    );
  });

  it('should explain what is missing', async () => {
    await expect(resolveLbAddress('pending', {}, deps)).rejects.toThrow(
      'service default/pending has no load-balancer ingress yet (EXTERNAL-IP <pending>)',
    );
    await expect(resolveLbAddress('nope', {}, deps)).rejects.toThrow(
      'service default/nope not found',
    );
    await expect(resolveLbAddress('web', { port: 443 }, deps)).rejects.toThrow(
      'service default/web has no port 443 (it has 80/TCP, 53/UDP)',
    );
    await expect(resolveLbAddress('kubernetes', {}, deps)).rejects.toThrow(/not LoadBalancer/);
  });

  /** What `nimbus lb-address <args>` prints on stdout. */
  const lbAddressOutput = async (args: string[]) => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await buildProgram().parseAsync(['node', 'nimbus', 'lb-address', ...args]);
    } finally {
      spy.mockRestore();
    }
    return written.join('');
  };

  it('should print the address from the command line with the cloud URL, token and kubeconfig', async () => {
    const printed = await lbAddressOutput([
      'web',
      '--cloud-url',
      cloud.url,
      '--token',
      TOKEN,
      '--kubeconfig',
      apiserver.kubeconfigPath,
    ]);
    expect(printed).toBe(`${hostAddressOf(lb.publicIps[0].ip)}:${tcp().hostPort}\n`);
  });

  it('should find the cloud, its token and the kubeconfig in a `nimbus up` data dir (any cloud port)', async () => {
    // As `nimbus up --cloud-port 0` leaves it: the banner's `nimbus lb-address web --data-dir …`
    // must reach a cloud that is not on 8080.
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-lb-address-'));
    recordCloudUrl(dataDir, cloud.url);
    writeFileSync(join(dataDir, CCM_TOKEN_FILE), `${TOKEN}\n`);
    copyFileSync(apiserver.kubeconfigPath, join(dataDir, 'kubeconfig'));
    try {
      expect(await lbAddressOutput(['web', '--data-dir', dataDir])).toBe(
        `${hostAddressOf(lb.publicIps[0].ip)}:${tcp().hostPort}\n`,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
