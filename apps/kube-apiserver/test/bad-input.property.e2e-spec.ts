import fc from 'fast-check';
import { propertyTestSettings } from '@app/config';
import { badPathId, deepNesting, malformedJsonText, nonObjectJson, oddUnicode } from '@app/testing';
import { raw, type RawResponse } from './support/raw-client';
import { startTestServer, type TestServer } from './support/test-server';

// Bad input against the built-in api-server: every answer < 500, a Status naming the problem, and
// nothing written (the global resourceVersion does not move). Fixed seed and count in CI;
// NIMBUS_PROPERTY_RUNS / NIMBUS_PROPERTY_SEED dig deeper.
jest.setTimeout(600_000);

const settings = propertyTestSettings(300);
const MiB = 1024 * 1024;

interface BadKubeRequest {
  kind: string;
  method: string;
  path: string;
  body?: string | Buffer;
  contentType?: string;
  /** Text the Status message must contain (the problem named), case-insensitive. */
  names?: string;
}

const COLLECTIONS = [
  { path: '/api/v1/namespaces/default/configmaps', kind: 'ConfigMap', apiVersion: 'v1' },
  { path: '/api/v1/nodes', kind: 'Node', apiVersion: 'v1' },
  { path: '/api/v1/namespaces/default/services', kind: 'Service', apiVersion: 'v1' },
  { path: '/api/v1/namespaces/default/pods', kind: 'Pod', apiVersion: 'v1' },
  { path: '/api/v1/namespaces', kind: 'Namespace', apiVersion: 'v1' },
  {
    path: '/apis/coordination.k8s.io/v1/namespaces/default/leases',
    kind: 'Lease',
    apiVersion: 'coordination.k8s.io/v1',
  },
] as const;
const collection = () => fc.constantFrom(...COLLECTIONS);

const validBody = (c: (typeof COLLECTIONS)[number], name = 'fuzz-ok') => ({
  apiVersion: c.apiVersion,
  kind: c.kind,
  metadata: { name },
  ...(c.kind === 'Service' ? { spec: { ports: [{ port: 80 }] } } : {}),
  ...(c.kind === 'Pod' ? { spec: { containers: [{ name: 'c', image: 'x' }] } } : {}),
});

const BAD_NAMES = fc.oneof(
  fc.constantFrom(
    'UPPER',
    'under_score',
    '-lead',
    'trail-',
    'a..b',
    '.',
    '..',
    'a/b',
    'a%b',
    'x'.repeat(254),
    ' ',
    'sp ace',
  ),
  oddUnicode().filter((s) => !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(s)),
);

function badRequests(): fc.Arbitrary<BadKubeRequest> {
  return fc.oneof(
    fc.tuple(collection(), malformedJsonText()).map(([c, text]) => ({
      kind: 'malformedJson',
      method: 'POST',
      path: c.path,
      body: text,
      contentType: 'application/json',
    })),
    fc
      .tuple(
        collection(),
        fc.constantFrom('a: [', 'a: b: c', '{', '- : -\n  x', '!!binary ###', '&a [*a]'),
      )
      .map(([c, text]) => ({
        kind: 'malformedYaml',
        method: 'POST',
        path: c.path,
        body: text,
        contentType: 'application/yaml',
      })),
    fc
      .tuple(
        collection(),
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 64 }).map((a) => Buffer.from(a)),
          fc
            .uint8Array({ minLength: 1, maxLength: 64 })
            .map((a) => Buffer.concat([Buffer.from('k8s\u0000'), Buffer.from(a)])),
        ),
      )
      .filter(([, bytes]) => bytes.length > 0)
      .map(([c, bytes]) => ({
        kind: 'malformedProtobuf',
        method: 'POST',
        path: c.path,
        body: bytes,
        contentType: 'application/vnd.kubernetes.protobuf',
      })),
    fc.tuple(collection(), nonObjectJson()).map(([c, text]) => ({
      kind: 'nonObject',
      method: 'POST',
      path: c.path,
      body: text,
      contentType: 'application/json',
    })),
    fc
      .tuple(
        collection(),
        fc.constantFrom(
          { kind: 'Spaceship' },
          { kind: 42 },
          { apiVersion: 'v9' },
          { apiVersion: 'apps/v1', kind: 'Deployment' },
          { kind: 'Status' },
        ),
      )
      .map(([c, wrong]) => ({
        kind: 'wrongKind',
        method: 'POST',
        path: c.path,
        body: JSON.stringify({ ...validBody(c), ...wrong }),
        contentType: 'application/json',
      })),
    fc.tuple(collection(), BAD_NAMES).map(([c, name]) => ({
      kind: 'invalidName',
      method: 'POST',
      path: c.path,
      body: JSON.stringify(validBody(c, name)),
      contentType: 'application/json',
      names: 'metadata.name',
    })),
    fc.tuple(collection(), fc.constantFrom(64, 5_000, 100_000)).map(([c, depth]) => ({
      kind: 'deepNesting',
      method: 'POST',
      path: c.path,
      body: JSON.stringify({
        ...validBody(c),
        metadata: { name: 'deep', annotations: '__D__' },
      }).replace('"__D__"', deepNesting(depth)),
      contentType: 'application/json',
    })),
    fc
      .tuple(
        collection(),
        fc.constantFrom(
          { metadata: { name: 'strict', colour: 'red' } },
          { metadata: { name: 'strict' }, colour: 'red' },
          { metadata: { name: 'strict', labels: { a: 'b' }, lables: { a: 'b' } } },
        ),
      )
      .map(([c, extra]) => ({
        kind: 'strictUnknownField',
        method: 'POST',
        path: `${c.path}?fieldValidation=Strict`,
        body: JSON.stringify({ ...validBody(c), ...extra }),
        contentType: 'application/json',
        names: 'unknown field',
      })),
    fc
      .tuple(
        collection(),
        fc.constantFrom(
          ['labelSelector', 'a in ('],
          ['labelSelector', '!'],
          ['labelSelector', '=b'],
          ['labelSelector', 'a=b=c'],
          ['labelSelector', 'x'.repeat(64) + '=1'],
          ['fieldSelector', 'spec.nope=1'],
          ['fieldSelector', 'metadata.name'],
          ['fieldSelector', '=x'],
          ['fieldSelector', 'metadata.name=a,=b'],
          ['resourceVersion', 'abc'],
          ['resourceVersion', '-1'],
          ['resourceVersion', '1.5'],
          ['limit', 'abc'],
          ['limit', '1e400'],
          ['continue', 'garbage'],
          ['continue', 'eyJ2IjoxfQ'],
          ['timeoutSeconds', 'soon'],
          ['resourceVersionMatch', 'Sometimes'],
        ),
        fc.boolean(),
      )
      .map(([c, [param, value], watch]) => ({
        kind: `bad ${param}`,
        method: 'GET',
        path: `${c.path}?${new URLSearchParams({
          [param]: value,
          // (a bad timeoutSeconds must not be replaced by the watch's own)
          ...(watch && param !== 'continue' && param !== 'limit'
            ? { watch: 'true', ...(param === 'timeoutSeconds' ? {} : { timeoutSeconds: '1' }) }
            : {}),
        }).toString()}`,
        // Upstream's parameter decoding names the value, not the parameter, for bad integers
        // (`strconv.ParseInt: parsing "abc": invalid syntax`); a negative limit means no limit.
        names: param.endsWith('Selector')
          ? undefined
          : param === 'limit' || param === 'timeoutSeconds'
            ? value
            : param,
      })),
    fc.tuple(collection(), badPathId()).map(([c, id]) => ({
      kind: 'badPathName',
      method: 'GET',
      path: `${c.path}/${id}`,
    })),
    fc
      .tuple(
        fc.constantFrom(
          ['application/json-patch+json', '[{"op":"explode","path":"/a"}]'],
          ['application/json-patch+json', '[{"op":"remove","path":"/nope/deeper"}]'],
          [
            'application/json-patch+json',
            '[{"op":"test","path":"/metadata/name","value":"other"}]',
          ],
          ['application/json-patch+json', '{"op":"add"}'],
          [
            'application/json-patch+json',
            '[{"op":"replace","path":"/metadata/name","value":"renamed"}]',
          ],
          ['application/merge-patch+json', '[1]'],
          ['application/merge-patch+json', '{"metadata":{"name":"Bad Name"}}'],
          ['application/merge-patch+json', '{"metadata":{"labels":{"bad key!":"x"}}}'],
          ['application/merge-patch+json', '{"metadata":{"resourceVersion":"1"},"data":{"a":"b"}}'],
          ['application/strategic-merge-patch+json', '{"$patch":"explode"}'],
          [
            'application/strategic-merge-patch+json',
            '{"data":{"$patch":"delete"},"metadata":{"uid":"other"}}',
          ],
          ['application/apply-patch+yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: fx-cm'],
          ['text/plain', 'hello'],
        ),
      )
      .map(([[type, patch]]) => ({
        kind: `badPatch ${type}`,
        method: 'PATCH',
        path: `/api/v1/namespaces/default/configmaps/fx-cm${type.includes('apply') ? '?fieldManager=fuzz' : ''}`,
        body: patch,
        contentType: type,
      })),
    fc
      .constantFrom(
        '{"propagationPolicy":"Sideways"}',
        '{"gracePeriodSeconds":"soon"}',
        '{"preconditions":{"uid":"not-the-uid"}}',
        '{"preconditions":{"resourceVersion":"1"}}',
        '{"dryRun":["Maybe"]}',
        '[1]',
        '{',
      )
      .map((body) => ({
        kind: 'badDeleteOptions',
        method: 'DELETE',
        path: '/api/v1/namespaces/default/configmaps/fx-cm',
        body,
        contentType: 'application/json',
      })),
  );
}

describe('generated bad input (kube-apiserver)', () => {
  let t: TestServer;
  const tally = { tried: 0, serverErrors: 0, writesFromRejected: 0, accepted: 0 };
  const failures: string[] = [];

  beforeAll(async () => {
    t = await startTestServer({ logLevel: 'silent' });
    const created = await raw(t.server, '/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      body: JSON.stringify({ metadata: { name: 'fx-cm' }, data: { a: 'b' } }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(created.status).toBe(201);
    // Pods need their namespace's default ServiceAccount (ServiceAccount admission, as upstream).
    const account = await raw(t.server, '/api/v1/namespaces/default/serviceaccounts', {
      method: 'POST',
      body: JSON.stringify({ metadata: { name: 'default' } }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect([201, 409]).toContain(account.status);
  });

  afterAll(async () => {
    process.stderr.write(
      `kube-apiserver bad input: ${tally.tried} requests (seed ${settings.seed}), ` +
        `${tally.serverErrors} answers ≥ 500, ${tally.writesFromRejected} writes from rejected requests, ` +
        `${tally.accepted} accepted\n`,
    );
    await t?.stop();
  });

  /** The global resourceVersion: every write moves it. */
  const currentRv = async () =>
    (await raw(t.server, '/api/v1/namespaces?limit=1')).json<{
      metadata: { resourceVersion: string };
    }>().metadata.resourceVersion;

  const send = (r: BadKubeRequest): Promise<RawResponse> =>
    raw(t.server, r.path, {
      method: r.method,
      body: r.body,
      headers: r.contentType ? { 'Content-Type': r.contentType } : {},
    });

  const check = async (r: BadKubeRequest): Promise<string | undefined> => {
    const before = await currentRv();
    const res = await send(r);
    tally.tried++;
    const where = `${r.kind} → ${r.method} ${r.path.slice(0, 120)}: ${res.status} ${res.text.slice(0, 240)}`;
    if (res.status >= 500) {
      tally.serverErrors++;
      return `server error: ${where}`;
    }
    if (res.status < 400) {
      tally.accepted++;
      return `accepted: ${where}`;
    }
    if ((await currentRv()) !== before) {
      tally.writesFromRejected++;
      return `a rejected request wrote: ${where}`;
    }
    let status: {
      kind?: string;
      status?: string;
      code?: number;
      message?: string;
      reason?: string;
    };
    try {
      status = res.json();
    } catch {
      return `not a Status: ${where}`;
    }
    if (status.kind !== 'Status' || status.status !== 'Failure' || status.code !== res.status) {
      return `not a failure Status with the HTTP code: ${where}`;
    }
    if (!status.message || !status.reason) {
      return `Status without message or reason: ${where}`;
    }
    if (r.names && !status.message.toLowerCase().includes(r.names.toLowerCase())) {
      return `message does not name ${r.names}: ${where}`;
    }
    return undefined;
  };

  it('answers every generated bad request < 500 with a Status naming the problem, writing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(badRequests(), async (r) => {
        const failure = await check(r);
        if (failure) {
          failures.push(failure);
        }
      }),
      { seed: settings.seed, numRuns: settings.numRuns },
    );
    expect([...new Set(failures)].slice(0, 30)).toEqual([]);
  });

  it('refuses a body over 3 MiB and an object over 1.5 MiB as upstream does (413), writing nothing', async () => {
    const tooLargeBody: BadKubeRequest = {
      kind: 'bodyOver3MiB',
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: JSON.stringify({ metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * MiB) } }),
      contentType: 'application/json',
      names: 'Request entity too large: limit is 3145728',
    };
    expect(await check(tooLargeBody)).toBeUndefined();
    const tooLargeObject: BadKubeRequest = {
      kind: 'objectOver1.5MiB',
      method: 'POST',
      path: '/api/v1/namespaces/default/pods',
      body: JSON.stringify({
        metadata: { name: 'big' },
        spec: {
          containers: Array.from({ length: 4 }, (_, i) => ({
            name: `c${i}`,
            image: 'x',
            args: ['y'.repeat(0.45 * MiB)],
          })),
        },
      }),
      contentType: 'application/json',
      names: 'request is too large',
    };
    expect(await check(tooLargeObject)).toBeUndefined();
  });
});
