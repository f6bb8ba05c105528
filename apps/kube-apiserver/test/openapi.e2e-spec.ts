import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { load as loadYaml } from 'js-yaml';
import { raw } from './support/raw-client';
import { toObject } from './support/proto-decoder';
import { startTestServer, type TestServer } from './support/test-server';

// /openapi/v2 and /openapi/v3 as kube-openapi serves them (api-compat.md §2), built from the
// upstream 1.32 documents and limited to what this server serves.
jest.setTimeout(60_000);

const V2_PB = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

type Swagger = {
  info: { version: string };
  paths: Record<
    string,
    Record<string, { parameters?: { name?: string; $ref?: string }[]; consumes?: string[] }>
  >;
  definitions: Record<string, { properties?: Record<string, Record<string, unknown>> }>;
};

describe('OpenAPI', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('should serve /openapi/v2 as JSON filtered to the served kinds, with a SHA-512 ETag', async () => {
    const res = await raw(t.server, '/openapi/v2', { headers: { Accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers.vary).toBe('Accept');
    expect(res.headers.etag).toBe(
      `"${createHash('sha512').update(res.bytes).digest('hex').toUpperCase()}"`,
    );
    const doc = res.json<Swagger>();
    expect(doc.info.version).toBe('v1.32.0-nimbus');
    expect(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}']).toBeDefined();
    expect(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/status']).toBeDefined();
    // Kinds in the registry appear with their subresources (apps/v1 scale included).
    expect(
      doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'],
    ).toBeDefined();
    // RBAC kinds, the reviews (POST only) and TokenRequest are served, and pods/exec is routed
    // (it answers that simulated kubelets run no containers), so all are documented;
    // certificates.k8s.io is not served here.
    expect(doc.paths['/apis/rbac.authorization.k8s.io/v1/clusterroles']).toBeDefined();
    const ssar = doc.paths['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'];
    expect(Object.keys(ssar ?? {}).filter((k) => k !== 'parameters')).toEqual(['post']);
    expect(
      doc.paths['/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token']?.post,
    ).toBeDefined();
    expect(doc.paths['/apis/authentication.k8s.io/v1/tokenreviews']).toBeDefined();
    expect(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/exec']).toBeDefined();
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/apis/certificates.k8s.io/'))).toBe(
      false,
    );
    expect(doc.definitions['io.k8s.api.core.v1.Pod']).toBeDefined();
    expect(doc.definitions['io.k8s.api.certificates.v1.CertificateSigningRequest']).toBeUndefined();
    expect(doc.definitions['io.k8s.api.core.v1.PodSpec'].properties?.containers).toMatchObject({
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    const patch = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
    expect(patch.consumes).not.toContain('application/apply-patch+cbor');
    expect(JSON.stringify(patch.parameters)).toContain('fieldValidation');
    const cached = await raw(t.server, '/openapi/v2', {
      headers: { Accept: 'application/json', 'If-None-Match': res.headers.etag ?? '' },
    });
    expect(cached.status).toBe(304);
    const zipped = await raw(t.server, '/openapi/v2', {
      headers: { Accept: 'application/json', 'Accept-Encoding': 'gzip' },
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.bytes).equals(res.bytes)).toBe(true);
    expect((await raw(t.server, '/openapi/v2', { headers: { Accept: 'text/html' } })).status).toBe(
      406,
    );
  });

  it('should serve /openapi/v2 as gnostic protobuf that parses back to the same document', async () => {
    const json = (
      await raw(t.server, '/openapi/v2', { headers: { Accept: 'application/json' } })
    ).json<Swagger>();
    const res = await raw(t.server, '/openapi/v2', {
      headers: { Accept: `${V2_PB}, application/json` },
    });
    expect(res.headers['content-type']).toBe(
      'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
    );
    const doc = toObject('openapi.v2.Document', res.bytes) as {
      swagger: string;
      paths: {
        path: {
          name: string;
          value: Record<string, { vendor_extension?: { name: string; value: { yaml: string } }[] }>;
        }[];
      };
      definitions: {
        additional_properties: {
          name: string;
          value: {
            vendor_extension?: { name: string; value: { yaml: string } }[];
            properties?: { additional_properties: { name: string }[] };
          };
        }[];
      };
    };
    expect(doc.swagger).toBe('2.0');
    expect(doc.paths.path.map((p) => p.name)).toEqual(Object.keys(json.paths));
    expect(doc.definitions.additional_properties.map((d) => d.name)).toEqual(
      Object.keys(json.definitions),
    );
    const pod = doc.definitions.additional_properties.find(
      (d) => d.name === 'io.k8s.api.core.v1.Pod',
    )?.value;
    const gvk = pod?.vendor_extension?.find((e) => e.name === 'x-kubernetes-group-version-kind');
    expect(loadYaml(gvk?.value.yaml ?? '')).toEqual([{ group: '', kind: 'Pod', version: 'v1' }]);
    expect(pod?.properties?.additional_properties.map((p) => p.name)).toEqual([
      'apiVersion',
      'kind',
      'metadata',
      'spec',
      'status',
    ]);
    const patch = doc.paths.path.find(
      (p) => p.name === '/api/v1/namespaces/{namespace}/pods/{name}',
    )?.value.patch;
    const action = patch?.vendor_extension?.find((e) => e.name === 'x-kubernetes-action');
    expect(loadYaml(action?.value.yaml ?? '')).toBe('patch');
  });

  it('should list only served group versions in /openapi/v3, with hashed documents', async () => {
    const root = (await raw(t.server, '/openapi/v3')).json<{
      paths: Record<string, { serverRelativeURL: string }>;
    }>();
    expect(Object.keys(root.paths).sort()).toEqual([
      'api/v1',
      'apis/admissionregistration.k8s.io/v1',
      'apis/apiextensions.k8s.io/v1',
      'apis/apps/v1',
      'apis/authentication.k8s.io/v1',
      'apis/authorization.k8s.io/v1',
      'apis/autoscaling/v1',
      'apis/autoscaling/v2',
      'apis/batch/v1',
      'apis/coordination.k8s.io/v1',
      'apis/discovery.k8s.io/v1',
      'apis/events.k8s.io/v1',
      'apis/metrics.k8s.io/v1beta1',
      'apis/networking.k8s.io/v1',
      'apis/node.k8s.io/v1',
      'apis/policy/v1',
      'apis/rbac.authorization.k8s.io/v1',
      'apis/scheduling.k8s.io/v1',
      'apis/storage.k8s.io/v1',
    ]);
    // admissionregistration.k8s.io/v1: the policies, not the (unserved) webhook configurations.
    const admission = (
      await raw(t.server, root.paths['apis/admissionregistration.k8s.io/v1'].serverRelativeURL)
    ).json<{ paths: Record<string, unknown> }>();
    expect(
      admission.paths['/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/{name}'],
    ).toBeDefined();
    expect(
      admission.paths['/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations'],
    ).toBeUndefined();
    const url = root.paths['apis/storage.k8s.io/v1'].serverRelativeURL;
    const doc = await raw(t.server, url);
    expect(url).toBe(
      `/openapi/v3/apis/storage.k8s.io/v1?hash=${createHash('sha512').update(doc.bytes).digest('hex').toUpperCase()}`,
    );
    expect(doc.headers['cache-control']).toBe('public, immutable');
    const body = doc.json<{
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { 'x-kubernetes-group-version-kind'?: unknown }> };
    }>();
    expect(body.paths['/apis/storage.k8s.io/v1/csidrivers/{name}']).toBeDefined();
    // storage.k8s.io/v1 CSIStorageCapacity is upstream but not served here.
    expect(
      body.paths['/apis/storage.k8s.io/v1/namespaces/{namespace}/csistoragecapacities'],
    ).toBeUndefined();
    expect(
      body.components.schemas['io.k8s.api.storage.v1.StorageClass'][
        'x-kubernetes-group-version-kind'
      ],
    ).toEqual([{ group: 'storage.k8s.io', kind: 'StorageClass', version: 'v1' }]);
    expect(body.components.schemas['io.k8s.api.storage.v1.CSIStorageCapacity']).toBeUndefined();
  });
});
