import { raw, stream } from './support/raw-client';
import { protoRoot, toObject, unwrap, watchFrames } from './support/proto-decoder';
import { eventually, startTestServer, type TestServer } from './support/test-server';

// What client-go ≥ 0.32 typed clients send and read (api-compat.md §4): protobuf bodies in the
// k8s\0 envelope, protobuf lists, ;stream=watch framing and Status errors, all read back with
// an independent decoder built from the upstream .proto files.
jest.setTimeout(60_000);

const PB = 'application/vnd.kubernetes.protobuf';
const GO_ACCEPT = `${PB}, */*`;

/** Encodes like a Go client: the message from the raw .proto files inside the envelope. */
function encode(
  apiVersion: string,
  kind: string,
  type: string,
  message: Record<string, unknown>,
): Buffer {
  const root = protoRoot();
  const t = root.lookupType(type);
  const rawBytes = t.encode(t.fromObject(message)).finish();
  const unknown = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const body = unknown
    .encode({ typeMeta: { apiVersion, kind }, raw: rawBytes, contentEncoding: '', contentType: '' })
    .finish();
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0]), body]);
}

describe('protobuf', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('should create a Secret from a protobuf body and return it as protobuf', async () => {
    const body = encode('v1', 'Secret', 'k8s.io.api.core.v1.Secret', {
      metadata: { name: 'release', labels: { owner: 'helm' } },
      data: { release: Buffer.from('H4sIAAAA') },
      type: 'helm.sh/release.v1',
    });
    const created = await raw(t.server, '/api/v1/namespaces/default/secrets', {
      method: 'POST',
      body,
      headers: { 'Content-Type': PB, Accept: GO_ACCEPT },
    });
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe(PB);
    const envelope = unwrap(created.bytes);
    expect(envelope).toMatchObject({ apiVersion: 'v1', kind: 'Secret' });
    const secret = toObject('k8s.io.api.core.v1.Secret', envelope.raw) as {
      metadata: {
        name: string;
        uid: string;
        labels: Record<string, string>;
        managedFields: { manager: string }[];
      };
      data: Record<string, string>;
      type: string;
    };
    expect(secret.metadata).toMatchObject({ name: 'release', labels: { owner: 'helm' } });
    expect(secret.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Buffer.from(secret.data.release, 'base64').toString()).toBe('H4sIAAAA');
    expect(secret.type).toBe('helm.sh/release.v1');
    // JSON clients see the same object.
    const json = (await raw(t.server, '/api/v1/namespaces/default/secrets/release')).json<{
      data: Record<string, string>;
    }>();
    expect(json.data.release).toBe(Buffer.from('H4sIAAAA').toString('base64'));
  });

  it('should take a Lease update with MicroTime and answer lists in protobuf', async () => {
    const lease = (when: number) =>
      encode('coordination.k8s.io/v1', 'Lease', 'k8s.io.api.coordination.v1.Lease', {
        metadata: { name: 'node-a', namespace: 'kube-node-lease' },
        spec: {
          holderIdentity: 'node-a',
          leaseDurationSeconds: 40,
          renewTime: { seconds: when, nanos: 123456000 },
        },
      });
    const path = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
    expect(
      (
        await raw(t.server, path, {
          method: 'POST',
          body: lease(1_800_000_000),
          headers: { 'Content-Type': PB },
        })
      ).status,
    ).toBe(201);
    const json = (await raw(t.server, `${path}/node-a`)).json<{ spec: { renewTime: string } }>();
    expect(json.spec.renewTime).toBe('2027-01-15T08:00:00.123456Z');
    const list = await raw(t.server, path, { headers: { Accept: GO_ACCEPT } });
    const envelope = unwrap(list.bytes);
    expect(envelope).toMatchObject({ apiVersion: 'coordination.k8s.io/v1', kind: 'LeaseList' });
    const decoded = toObject('k8s.io.api.coordination.v1.LeaseList', envelope.raw) as {
      metadata: { resourceVersion: string };
      items: {
        metadata: { name: string };
        spec: { renewTime: { seconds: number; nanos: number } };
      }[];
    };
    expect(decoded.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(decoded.items[0].spec.renewTime).toEqual({ seconds: 1_800_000_000, nanos: 123456000 });
  });

  it('should read DeleteOptions from a protobuf body', async () => {
    await raw(t.server, '/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      body: JSON.stringify({ metadata: { name: 'gone', finalizers: ['example.com/hold'] } }),
      headers: { 'Content-Type': 'application/json' },
    });
    const options = encode(
      'v1',
      'DeleteOptions',
      'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
      {
        dryRun: ['All'],
        propagationPolicy: 'Background',
      },
    );
    const res = await raw(t.server, '/api/v1/namespaces/default/configmaps/gone', {
      method: 'DELETE',
      body: options,
      headers: { 'Content-Type': PB },
    });
    expect(res.status).toBe(200);
    // Dry run: still there, not terminating.
    const still = (await raw(t.server, '/api/v1/namespaces/default/configmaps/gone')).json<{
      metadata: Record<string, unknown>;
    }>();
    expect(still.metadata.deletionTimestamp).toBeUndefined();
  });

  it('should answer errors as protobuf Status objects to protobuf clients', async () => {
    const res = await raw(t.server, '/api/v1/namespaces/default/configmaps/missing', {
      headers: { Accept: GO_ACCEPT },
    });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe(PB);
    const envelope = unwrap(res.bytes);
    expect(envelope).toMatchObject({ apiVersion: 'v1', kind: 'Status' });
    expect(toObject('k8s.io.apimachinery.pkg.apis.meta.v1.Status', envelope.raw)).toMatchObject({
      status: 'Failure',
      message: 'configmaps "missing" not found',
      reason: 'NotFound',
      code: 404,
    });
    // A body that is not protobuf at all.
    const bad = await raw(t.server, '/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      body: '{}',
      headers: { 'Content-Type': PB },
    });
    expect(bad.status).toBe(400);
  });

  it('should stream watch events with length-prefixed protobuf frames', async () => {
    const w = await stream(
      t.server,
      '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0',
      {
        Accept: `${PB};stream=watch, ${PB}, application/json`,
      },
    );
    expect(w.headers['content-type']).toBe(`${PB};stream=watch`);
    await raw(t.server, '/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      body: JSON.stringify({ metadata: { name: 'streamed' }, data: { k: 'v' } }),
      headers: { 'Content-Type': 'application/json' },
    });
    await eventually(() =>
      expect(watchFrames(w.bytes()).some((e) => e.object.includes('streamed'))).toBe(true),
    );
    const events = watchFrames(w.bytes());
    const last = events[events.length - 1];
    expect(last.type).toBe('ADDED');
    const object = unwrap(last.object);
    expect(object).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(toObject('k8s.io.api.core.v1.ConfigMap', object.raw)).toMatchObject({
      metadata: { name: 'streamed' },
      data: { k: 'v' },
    });
    w.close();
  });
});
