import { raw, stream } from './support/raw-client';
import { eventually, startTestServer, type TestServer } from './support/test-server';

// List and watch options exactly as the apiserver parses and validates them
// (api-compat.md §3): booleans, resourceVersion(Match), continue tokens, sendInitialEvents,
// timeouts, pretty printing, the legacy /watch/ paths.
jest.setTimeout(60_000);

type Status = { reason: string; message: string; code: number; metadata?: { continue?: string } };
type List = {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: { metadata: { name: string; resourceVersion: string }; data?: Record<string, string> }[];
};

describe('query parameters', () => {
  let t: TestServer;
  const cms = '/api/v1/namespaces/default/configmaps';
  const post = (name: string, data: Record<string, string> = {}) =>
    raw(t.server, cms, {
      method: 'POST',
      body: JSON.stringify({ metadata: { name, labels: { set: 'q' } }, data }),
      headers: { 'Content-Type': 'application/json' },
    });
  const patch = (name: string, data: Record<string, string>) =>
    raw(t.server, `${cms}/${name}`, {
      method: 'PATCH',
      body: JSON.stringify({ data }),
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });

  beforeAll(async () => {
    t = await startTestServer();
    for (const name of ['q-a', 'q-b', 'q-c', 'q-d']) {
      await post(name, { v: '1' });
    }
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('should parse booleans as apimachinery does: present and not 0/false is true', async () => {
    const isWatch = async (query: string) => {
      const s = await stream(t.server, `${cms}?${query}&timeoutSeconds=1`);
      await s.ended;
      return s.lines()[0]?.startsWith('{"type":') ?? false;
    };
    const queries = [
      'watch',
      'watch=',
      'watch=True',
      'watch=yes',
      'watch=no',
      'watch=0',
      'watch=FaLsE',
    ];
    expect(await Promise.all(queries.map(isWatch))).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('should reject invalid list and watch options with upstream messages', async () => {
    const status = async (query: string) => (await raw(t.server, `${cms}?${query}`)).json<Status>();
    expect(await status('resourceVersionMatch=Exact')).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message:
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    });
    expect((await status('resourceVersion=0&resourceVersionMatch=Exact')).message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
    );
    expect((await status('resourceVersion=1&resourceVersionMatch=Newest')).message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""',
    );
    expect((await status('sendInitialEvents=true')).message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list',
    );
    expect((await status('watch=true&sendInitialEvents=true')).message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
    );
    expect(
      (await status('watch=true&resourceVersion=5&resourceVersionMatch=NotOlderThan')).message,
    ).toBe(
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
    );
    expect(await status('limit=abc')).toMatchObject({
      code: 400,
      message: 'strconv.ParseInt: parsing "abc": invalid syntax',
    });
    expect(await status('timeout=5x')).toMatchObject({
      code: 400,
      message:
        'invalid timeout specified in the request URL - time: unknown unit "x" in duration "5x"',
    });
    expect(await status('resourceVersion=abc')).toMatchObject({
      code: 400,
      message:
        'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax',
    });
  });

  it('should page at the first page version, with upstream continue tokens', async () => {
    const first = (await raw(t.server, `${cms}?labelSelector=set%3Dq&limit=2`)).json<List>();
    expect(first.items.map((i) => i.metadata.name)).toEqual(['q-a', 'q-b']);
    const token = JSON.parse(
      Buffer.from(first.metadata.continue ?? '', 'base64url').toString(),
    ) as {
      v: string;
      rv: number;
      start: string;
    };
    expect(token).toEqual({
      v: 'meta.k8s.io/v1',
      rv: Number(first.metadata.resourceVersion),
      start: 'q-b\u0000',
    });
    // Changes after the first page do not show on later pages of the same list.
    await patch('q-c', { v: '2' });
    await post('q-bb');
    const second = (
      await raw(
        t.server,
        `${cms}?labelSelector=set%3Dq&limit=2&continue=${first.metadata.continue}`,
      )
    ).json<List>();
    expect(second.items.map((i) => i.metadata.name)).toEqual(['q-c', 'q-d']);
    expect(second.items[0].data).toEqual({ v: '1' });
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    // Without selectors the remaining count is reported.
    const all = (await raw(t.server, `${cms}?limit=1`)).json<List>();
    expect(all.metadata.remainingItemCount).toBeGreaterThan(0);
    expect(
      (
        await raw(t.server, `${cms}?limit=2&resourceVersion=5&continue=${first.metadata.continue}`)
      ).json<Status>(),
    ).toMatchObject({
      code: 400,
      message: 'specifying resource version is not allowed when using continue',
    });
    expect((await raw(t.server, `${cms}?continue=not!base64`)).json<Status>()).toMatchObject({
      code: 400,
      message:
        'invalid continue token: continue key is not valid: illegal base64 data at input byte 3',
    });
  });

  it('should serve Exact lists from history and answer 410 once it is compacted', async () => {
    const before = (await raw(t.server, cms)).json<List>();
    await patch('q-a', { v: 'changed' });
    const exact = (
      await raw(
        t.server,
        `${cms}?resourceVersion=${before.metadata.resourceVersion}&resourceVersionMatch=Exact`,
      )
    ).json<List>();
    expect(exact.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(exact.items.find((i) => i.metadata.name === 'q-a')?.data).toEqual({ v: '1' });
    const paged = (await raw(t.server, `${cms}?limit=1`)).json<List>();
    await patch('q-b', { v: 'x' });
    t.server.compact();
    await patch('q-b', { v: 'y' });
    const gone = await raw(
      t.server,
      `${cms}?resourceVersion=${before.metadata.resourceVersion}&resourceVersionMatch=Exact`,
    );
    expect(gone.json<Status>()).toMatchObject({
      code: 410,
      reason: 'Expired',
      message: 'The resourceVersion for the provided list is too old.',
    });
    // An expired continue token: 410 with a token that continues from the latest state.
    const expired = (
      await raw(t.server, `${cms}?limit=1&continue=${paged.metadata.continue}`)
    ).json<Status>();
    expect(expired).toMatchObject({ code: 410, reason: 'Expired' });
    expect(expired.message).toMatch(
      /^The provided continue parameter is too old to display a consistent list result/,
    );
    const resumed = (
      await raw(t.server, `${cms}?limit=1&continue=${expired.metadata?.continue}`)
    ).json<List>();
    expect(resumed.items.length).toBe(1);
  });

  it('should wait for a future resourceVersion and then answer Too large resource version', async () => {
    const current = Number((await raw(t.server, cms)).json<List>().metadata.resourceVersion);
    const soon = raw(
      t.server,
      `${cms}?resourceVersion=${current + 1}&resourceVersionMatch=NotOlderThan`,
    );
    await post('q-future');
    expect((await soon).status).toBe(200);
    const late = await raw(
      t.server,
      `${cms}?resourceVersion=${current + 1000}&resourceVersionMatch=NotOlderThan`,
    );
    expect(late.status).toBe(504);
    expect(late.headers['retry-after']).toBe('1');
    expect(late.json()).toMatchObject({
      reason: 'Timeout',
      message: `Timeout: Too large resource version: ${current + 1000}, current: ${current + 1}`,
      details: {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      },
    });
  });

  it('should stream initial events and the initial-events-end bookmark with the list blueprint', async () => {
    const w = await stream(
      t.server,
      `${cms}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=set%3Dq`,
    );
    await eventually(() =>
      expect(w.lines().some((l) => l.includes('k8s.io/initial-events-end'))).toBe(true),
    );
    const events = w.lines().map(
      (l) =>
        JSON.parse(l) as {
          type: string;
          object: { metadata: { annotations: Record<string, string> } };
        },
    );
    const end = events.findIndex((e) => e.type === 'BOOKMARK');
    expect(events.slice(0, end).every((e) => e.type === 'ADDED')).toBe(true);
    expect(end).toBeGreaterThanOrEqual(4);
    const bookmark = events[end].object;
    expect(bookmark).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    const blueprint = Buffer.from(
      bookmark.metadata.annotations['k8s.io/initial-events-list-blueprint'],
      'base64',
    ).toString();
    expect(JSON.parse(blueprint)).toEqual({
      kind: 'ConfigMapList',
      apiVersion: 'v1',
      metadata: {},
      items: null,
    });
    await post('q-live');
    await eventually(() => expect(w.lines().at(-1)).toContain('"name":"q-live"'));
    w.close();
    // sendInitialEvents=false from "" starts at "now": no ADDED for what exists.
    const quiet = await stream(
      t.server,
      `${cms}?watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&timeoutSeconds=1`,
    );
    await quiet.ended;
    expect(quiet.lines()).toEqual([]);
  });

  it('should serve the legacy /watch/ paths, a name being a metadata.name selector', async () => {
    const w = await stream(t.server, '/api/v1/watch/namespaces/default/configmaps/q-d');
    await eventually(() => expect(w.lines().length).toBe(1));
    await patch('q-c', { v: 'ignored' });
    await patch('q-d', { v: 'seen' });
    await eventually(() => expect(w.lines().length).toBe(2));
    expect(
      w
        .lines()
        .map(
          (l) => (JSON.parse(l) as { object: { metadata: { name: string } } }).object.metadata.name,
        ),
    ).toEqual(['q-d', 'q-d']);
    w.close();
    const mismatch = await raw(
      t.server,
      '/api/v1/watch/namespaces/default/configmaps/q-d?fieldSelector=metadata.name%3Dother',
    );
    expect(mismatch.json<Status>()).toMatchObject({
      code: 400,
      message: "fieldSelector metadata.name doesn't match requested name",
    });
  });

  it('should pretty-print for ?pretty and command-line tools, YAML on request', async () => {
    const compact = await raw(t.server, `${cms}/q-a`);
    expect(compact.text).not.toContain('\n  ');
    expect((await raw(t.server, `${cms}/q-a?pretty=true`)).text).toContain(
      '\n  "kind": "ConfigMap"',
    );
    expect(
      (await raw(t.server, `${cms}/q-a`, { headers: { 'User-Agent': 'curl/8.5.0' } })).text,
    ).toContain('\n  ');
    expect(
      (await raw(t.server, `${cms}/q-a?pretty=0`, { headers: { 'User-Agent': 'curl/8.5.0' } }))
        .text,
    ).not.toContain('\n  ');
    const yaml = await raw(t.server, `${cms}/q-a`, { headers: { Accept: 'application/yaml' } });
    expect(yaml.headers['content-type']).toBe('application/yaml');
    expect(yaml.text).toMatch(/^apiVersion: v1\ndata:\n/);
  });

  it('should negotiate PartialObjectMetadata and refuse what it cannot produce with 406', async () => {
    const meta = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
    const one = (await raw(t.server, `${cms}/q-a`, { headers: { Accept: meta } })).json();
    expect(one).toMatchObject({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'q-a' },
    });
    expect(one).not.toHaveProperty('data');
    const list = (
      await raw(t.server, cms, {
        headers: { Accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' },
      })
    ).json<{ kind: string; items: { kind: string }[] }>();
    expect(list.kind).toBe('PartialObjectMetadataList');
    expect(list.items[0].kind).toBe('PartialObjectMetadata');
    const refused = await raw(t.server, cms, { headers: { Accept: 'text/html' } });
    expect(refused.status).toBe(406);
    expect(refused.json<Status>().message).toBe(
      'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    );
    // Tables have no protobuf form: a protobuf client asking for one gets JSON.
    const table = await raw(t.server, cms, {
      headers: {
        Accept:
          'application/vnd.kubernetes.protobuf;as=Table;g=meta.k8s.io;v=v1,application/json;as=Table;g=meta.k8s.io;v=v1',
      },
    });
    expect(table.headers['content-type']).toBe('application/json');
    expect(table.json()).toMatchObject({ kind: 'Table' });
  });
});
