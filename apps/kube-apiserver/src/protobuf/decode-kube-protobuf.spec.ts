import { Writer } from 'protobufjs/minimal';
import { decodeKubeProtobuf } from './decode-kube-protobuf';

const bytes = (w: Writer) => w.finish();
const envelope = (kind: string, raw: Uint8Array) => {
  const typeMeta = bytes(
    Writer.create()
      .uint32((1 << 3) | 2)
      .string('v1')
      .uint32((2 << 3) | 2)
      .string(kind),
  );
  const unknown = bytes(
    Writer.create()
      .uint32((1 << 3) | 2)
      .bytes(typeMeta)
      .uint32((2 << 3) | 2)
      .bytes(raw)
      .uint32((3 << 3) | 2)
      .string(''),
  );
  return Buffer.concat([Buffer.from('k8s\0', 'binary'), Buffer.from(unknown)]);
};

describe('decodeKubeProtobuf', () => {
  it('should decode a Namespace the way kubectl create namespace sends it', () => {
    const label = bytes(
      Writer.create()
        .uint32((1 << 3) | 2)
        .string('team')
        .uint32((2 << 3) | 2)
        .string('a'),
    );
    const meta = bytes(
      Writer.create()
        .uint32((1 << 3) | 2)
        .string('foo')
        .uint32((2 << 3) | 2)
        .string('')
        .uint32((11 << 3) | 2)
        .bytes(label),
    );
    const ns = bytes(
      Writer.create()
        .uint32((1 << 3) | 2)
        .bytes(meta)
        .uint32((2 << 3) | 2)
        .bytes(new Uint8Array())
        .uint32((3 << 3) | 2)
        .bytes(new Uint8Array()),
    );
    expect(decodeKubeProtobuf(envelope('Namespace', ns)).object).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'foo', labels: { team: 'a' } },
    });
  });

  it('should decode service ports with an int targetPort', () => {
    const target = bytes(
      Writer.create()
        .uint32((1 << 3) | 0)
        .int64(0)
        .uint32((2 << 3) | 0)
        .int32(8080),
    );
    const port = bytes(
      Writer.create()
        .uint32((1 << 3) | 2)
        .string('80-8080')
        .uint32((2 << 3) | 2)
        .string('TCP')
        .uint32((3 << 3) | 0)
        .int32(80)
        .uint32((4 << 3) | 2)
        .bytes(target)
        .uint32((5 << 3) | 0)
        .int32(0),
    );
    const spec = bytes(
      Writer.create()
        .uint32((1 << 3) | 2)
        .bytes(port)
        .uint32((4 << 3) | 2)
        .string('ClusterIP')
        .uint32((3 << 3) | 2)
        .string(''),
    );
    const meta = bytes(
      Writer.create()
        .uint32((1 << 3) | 2)
        .string('s2'),
    );
    const svc = bytes(
      Writer.create()
        .uint32((1 << 3) | 2)
        .bytes(meta)
        .uint32((2 << 3) | 2)
        .bytes(spec),
    );
    expect(decodeKubeProtobuf(envelope('Service', svc)).object).toMatchObject({
      metadata: { name: 's2' },
      spec: {
        type: 'ClusterIP',
        ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }],
      },
    });
  });

  it('should reject bodies without the envelope or of unknown kinds', () => {
    expect(() => decodeKubeProtobuf(Buffer.from('{}'))).toThrow(/envelope/);
    expect(() => decodeKubeProtobuf(envelope('Pod', new Uint8Array()))).toThrow(/unknown format/);
  });
});
