import { Writer } from 'protobufjs/minimal';
import { decodeKubeProtobuf } from './envelope';

/** A tiny protobuf builder: `msg([1, 'text'], [2, 0], [3, msg(...)])`. */
type Field = [number, string | number | Uint8Array];
function msg(...fields: Field[]): Uint8Array {
  const w = Writer.create();
  for (const [n, v] of fields) {
    if (typeof v === 'number') {
      w.uint32(n << 3).int64(v);
    } else if (typeof v === 'string') {
      w.uint32((n << 3) | 2).string(v);
    } else {
      w.uint32((n << 3) | 2).bytes(v);
    }
  }
  return w.finish();
}

function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const unknown = msg([1, msg([1, apiVersion], [2, kind])], [2, raw], [3, '']);
  return Buffer.concat([Buffer.from('k8s\0', 'binary'), Buffer.from(unknown)]);
}

describe('workload protobuf messages (generated from the upstream .proto files)', () => {
  it('should decode a Deployment as kubectl create deployment --replicas=0 sends it', () => {
    const container = msg([1, 'nginx'], [2, 'nginx'], [8, new Uint8Array()]);
    const volume = msg([1, 'cfg'], [2, msg([19, msg([1, msg([1, 'cfg'])], [3, 420])])]);
    const podSpec = msg([1, volume], [2, container], [4, 0], [14, new Uint8Array()], [3, 'Always']);
    // A zero metav1.Time is an empty message: JSON's `creationTimestamp: null`.
    const template = msg(
      [1, msg([8, new Uint8Array()], [11, msg([1, 'app'], [2, 'web'])])],
      [2, podSpec],
    );
    const selector = msg([1, msg([1, 'app'], [2, 'web'])]);
    const strategy = msg([1, 'RollingUpdate'], [2, msg([2, msg([1, 1], [3, '25%'])])]);
    const spec = msg([1, 0], [2, selector], [3, template], [4, strategy], [7, 0]);
    const deployment = msg([1, msg([1, 'web'])], [2, spec]);
    expect(decodeKubeProtobuf(envelope('apps/v1', 'Deployment', deployment)).object).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            volumes: [{ name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } }],
            // An empty ResourceRequirements on the wire is Go's `resources: {}`.
            containers: [{ name: 'nginx', image: 'nginx', resources: {} }],
            terminationGracePeriodSeconds: 0,
            securityContext: {},
            restartPolicy: 'Always',
          },
        },
      },
    });
  });

  it('should keep a Job suspend: false and decode a PodDisruptionBudget', () => {
    const job = msg(
      [1, msg([1, 'pi'])],
      [2, msg([10, 0], [5, 0], [6, msg([2, msg([2, msg([1, 'pi'], [2, 'perl'], [3, 'perl'])])])])],
    );
    expect(decodeKubeProtobuf(envelope('batch/v1', 'Job', job)).object).toMatchObject({
      spec: {
        suspend: false,
        manualSelector: false,
        template: { spec: { containers: [{ name: 'pi', image: 'perl', command: ['perl'] }] } },
      },
    });
    const pdb = msg(
      [1, msg([1, 'db'])],
      [2, msg([1, msg([1, 0], [2, 1])], [2, msg([1, msg([1, 'app'], [2, 'db'])])])],
    );
    expect(decodeKubeProtobuf(envelope('policy/v1', 'PodDisruptionBudget', pdb)).object).toEqual({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'db' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } },
    });
  });
});
