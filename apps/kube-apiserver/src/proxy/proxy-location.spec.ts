import { KubeError } from '../errors/kube-error';
import type { KubeObject } from '../object/types';
import { podLocation, serviceLocation, splitSchemeNamePort } from './proxy-location';

const pod = (podIP: string | undefined, ports: number[] = []): KubeObject => ({
  metadata: { name: 'web' },
  spec: {
    containers: [
      { name: 'a' },
      { name: 'b', ports: ports.map((containerPort) => ({ containerPort })) },
    ],
  },
  status: { podIP },
});

const service = (ports: { name?: string; port: number }[]): KubeObject => ({
  metadata: { name: 'web' },
  spec: { ports },
});

const endpoints = (
  subsets: { addresses?: { ip: string }[]; ports: { name?: string; port: number }[] }[],
): KubeObject => ({ metadata: { name: 'web' }, subsets });

function errorOf(fn: () => unknown): KubeError {
  try {
    fn();
  } catch (error) {
    return error as KubeError;
  }
  throw new Error('no error');
}

describe('proxy locations (upstream ResourceLocation of pods and services)', () => {
  it.each([
    ['web', { scheme: 'http', name: 'web', port: '' }],
    ['web:8080', { scheme: 'http', name: 'web', port: '8080' }],
    ['https:web:443', { scheme: 'https', name: 'web', port: '443' }],
    ['http:web:', { scheme: 'http', name: 'web', port: '' }],
  ])('splits %j', (id, expected) => {
    expect(splitSchemeNamePort(id)).toEqual(expected);
  });

  it.each(['', ':80', 'ftp:web:21', 'a:b:c:d'])('refuses %j', (id) => {
    expect(splitSchemeNamePort(id)).toBeUndefined();
  });

  it('takes the port given, else the first declared container port, else the scheme’s', () => {
    expect(podLocation(pod('10.244.1.2', [8080, 9090]), 'http', '')).toEqual({
      scheme: 'http',
      ip: '10.244.1.2',
      port: '8080',
    });
    expect(podLocation(pod('10.244.1.2', [8080]), 'http', '81').port).toBe('81');
    expect(podLocation(pod('10.244.1.2'), 'https', '').port).toBe('443');
  });

  it.each([undefined, '127.0.0.1', '0.0.0.0', '169.254.169.254', '224.0.0.1', '255.255.255.255'])(
    'answers a pod IP of %j with 400 address not allowed',
    (ip) => {
      const error = errorOf(() => podLocation(pod(ip), 'http', ''));
      expect([error.code, error.message]).toEqual([400, 'address not allowed']);
    },
  );

  /** Pods of the Service's namespace, by name, with their IPs (what isValidAddress checks). */
  const pods: Record<string, string> = { a: '10.244.1.2', b: '10.244.2.3' };
  const podOf = (name: string) => (pods[name] ? pod(pods[name]) : undefined);
  const ref = (name: string, ip: string) => ({ ip, targetRef: { kind: 'Pod', name } });

  it('maps a Service port number to its name and picks a ready address of that port', () => {
    const svc = service([
      { name: 'http', port: 80 },
      { name: 'metrics', port: 9100 },
    ]);
    const eps = endpoints([
      { addresses: [], ports: [{ name: 'http', port: 8080 }] },
      {
        addresses: [ref('a', '10.244.1.2'), ref('b', '10.244.2.3')],
        ports: [
          { name: 'http', port: 8080 },
          { name: 'metrics', port: 9100 },
        ],
      },
    ]);
    expect(serviceLocation('web:80', 'web', svc, eps, podOf, 'http', '80', () => 0)).toEqual({
      scheme: 'http',
      ip: '10.244.1.2',
      port: '8080',
    });
    expect(
      serviceLocation('web:metrics', 'web', svc, eps, podOf, 'http', 'metrics', () => 0.9),
    ).toEqual({ scheme: 'http', ip: '10.244.2.3', port: '9100' });
  });

  it('proxies only to addresses that are pods of the namespace with that IP (no SSRF by Endpoints)', () => {
    const svc = service([{ port: 80 }]);
    const only = (address: {
      ip: string;
      targetRef?: { kind: string; name: string; namespace?: string };
    }) =>
      errorOf(() =>
        serviceLocation(
          'web',
          'web',
          svc,
          endpoints([{ addresses: [address], ports: [{ port: 80 }] }]),
          podOf,
          'http',
          '',
        ),
      );
    for (const address of [
      { ip: '127.0.0.1' }, // no targetRef
      { ip: '127.0.0.1', targetRef: { kind: 'Pod', name: 'a' } }, // not the pod's IP
      { ip: '10.244.1.2', targetRef: { kind: 'Node', name: 'a' } },
      { ip: '10.244.1.2', targetRef: { kind: 'Pod', name: 'a', namespace: 'other' } },
      { ip: '10.244.1.2', targetRef: { kind: 'Pod', name: 'gone' } },
    ]) {
      expect([JSON.stringify(address), only(address).message]).toEqual([
        JSON.stringify(address),
        'no endpoints available for service "web"',
      ]);
    }
    const mixed = endpoints([
      { addresses: [{ ip: '127.0.0.1' }, ref('b', '10.244.2.3')], ports: [{ port: 80 }] },
    ]);
    expect(serviceLocation('web', 'web', svc, mixed, podOf, 'http', '', () => 0).ip).toBe(
      '10.244.2.3',
    );
  });

  it('answers what upstream answers when there is nowhere to go', () => {
    const svc = service([{ port: 80 }]);
    const missingPort = errorOf(() =>
      serviceLocation('web:81', 'web', svc, endpoints([]), podOf, 'http', '81'),
    );
    expect([missingPort.code, missingPort.message]).toEqual([
      503,
      'no service port 81 found for service "web"',
    ]);
    // No subsets: the Service's name; subsets without a usable address: the whole id.
    const empty = errorOf(() =>
      serviceLocation('http:web:', 'web', svc, endpoints([]), podOf, 'http', ''),
    );
    expect([empty.code, empty.message]).toEqual([503, 'no endpoints available for service "web"']);
    const none = errorOf(() =>
      serviceLocation(
        'http:web:',
        'web',
        svc,
        endpoints([{ addresses: [], ports: [{ port: 80 }] }]),
        podOf,
        'http',
        '',
      ),
    );
    expect([none.code, none.message]).toEqual([
      503,
      'no endpoints available for service "http:web:"',
    ]);
    const noObject = errorOf(() =>
      serviceLocation('web', 'web', svc, undefined, podOf, 'http', ''),
    );
    expect([noObject.code, noObject.message]).toEqual([404, 'endpoints "web" not found']);
  });
});
