import {
  AlreadyExistsError,
  CloudApiError,
  ConflictError,
  FailedPreconditionError,
  InvalidArgumentError,
  NetworkError,
  NimbusCloudClient,
  NotFoundError,
  OperationFailedError,
  PreconditionFailedError,
  QuotaExceededError,
  RateLimitedError,
  UnavailableError,
  collect,
  retryDelayMs,
  DEFAULT_RETRY_POLICY,
  type CloudClientOptions,
} from './index';

interface Call {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: unknown;
}

type Reply = Response | Error | ((call: Call) => Response | Error);

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

const problem = (
  status: number,
  code: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response =>
  new Response(
    JSON.stringify({
      type: `https://nimbus.dev/problems/${code.toLowerCase()}`,
      title: code,
      status,
      detail: `detail of ${code}`,
      instance: '/v1/x',
      code,
      retryable: ['RATE_LIMITED', 'CONFLICT', 'INTERNAL', 'UNAVAILABLE'].includes(code),
      requestId: 'req-123',
      ...extra,
    }),
    { status, headers: { 'content-type': 'application/problem+json', ...headers } },
  );

/** A client over a scripted fetch; every reply is used once, in order. */
function setup(replies: Reply[], options: Partial<CloudClientOptions> = {}) {
  const calls: Call[] = [];
  const sleeps: number[] = [];
  let keys = 0;
  const fetchFn = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call: Call = {
      url: new URL(input instanceof Request ? input.url : input),
      method: init?.method ?? 'GET',
      headers: init?.headers as Record<string, string>,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    const next = replies.shift();
    if (next === undefined) {
      throw new Error(`unexpected call ${call.method} ${call.url.pathname}`);
    }
    const reply = typeof next === 'function' ? next(call) : next;
    return reply instanceof Response ? Promise.resolve(reply) : Promise.reject(reply);
  };
  const client = new NimbusCloudClient({
    baseUrl: 'http://cloud.test:8080/',
    token: 'secret-token',
    version: '1.2.3',
    fetch: fetchFn,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0,
    newIdempotencyKey: () => `key-${++keys}`,
    ...options,
  });
  return { client, calls, sleeps };
}

const econnreset = (): Error =>
  Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
  });

const LB = { id: 'lb-1', name: 'a1', state: 'provisioning' };
const OP = { id: 'op-1', kind: 'load-balancers.create', status: 'running' };

describe('NimbusCloudClient', () => {
  it('should send the token, the user agent and only the defined query parameters', async () => {
    const { client, calls } = setup([json(200, { items: [{ id: 'i-1' }] })]);

    const page = await client.instances.list({ name: 'node-1', zone: undefined });

    expect(page.items).toEqual([{ id: 'i-1' }]);
    expect(calls[0].url.toString()).toBe('http://cloud.test:8080/v1/instances?name=node-1');
    expect(calls[0].headers.Authorization).toBe('Bearer secret-token');
    expect(calls[0].headers['User-Agent']).toBe('nimbus-cloud-controller-manager/1.2.3');
    expect(calls[0].headers['Idempotency-Key']).toBeUndefined();
  });

  it('should keep one Idempotency-Key across the retries of a POST and use a new one per call', async () => {
    const { client, calls, sleeps } = setup([
      problem(503, 'UNAVAILABLE'),
      econnreset(),
      json(202, { loadBalancer: LB, operation: OP }),
      json(202, { loadBalancer: LB, operation: OP }),
    ]);
    const body = { name: 'a1', region: 'nimbus-1', listeners: [] };

    const res = await client.loadBalancers.create(body);
    await client.loadBalancers.create(body);

    expect(res.loadBalancer.id).toBe('lb-1');
    expect(calls.map((c) => c.headers['Idempotency-Key'])).toEqual([
      'key-1',
      'key-1',
      'key-1',
      'key-2',
    ]);
    expect(calls[0].body).toEqual(body);
    expect(sleeps).toHaveLength(2);
  });

  it('should honour Retry-After on 429 RATE_LIMITED', async () => {
    const { client, calls, sleeps } = setup([
      problem(429, 'RATE_LIMITED', {}, { 'retry-after': '7' }),
      json(200, { id: 'i-1' }),
    ]);

    await client.instances.get('i-1');

    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([7000]);
  });

  it('should honour retryAfterSeconds of the problem body', async () => {
    const { client, sleeps } = setup([
      problem(409, 'CONFLICT', { retryAfterSeconds: 3 }),
      json(200, { id: 'i-1' }),
    ]);

    await client.instances.get('i-1');

    expect(sleeps).toEqual([3000]);
  });

  it('should back off exponentially with jitter when the server names no delay', async () => {
    const { client, sleeps } = setup(
      [
        problem(500, 'INTERNAL'),
        problem(500, 'INTERNAL'),
        problem(500, 'INTERNAL'),
        json(200, { id: 'i-1' }),
      ],
      { random: () => 1 },
    );

    await client.instances.get('i-1');

    expect(sleeps).toEqual([200, 400, 800]);
    expect(retryDelayMs(3, new Error('x'), DEFAULT_RETRY_POLICY, () => 0)).toBe(400);
    expect(retryDelayMs(30, new Error('x'), DEFAULT_RETRY_POLICY, () => 1)).toBe(10_000);
  });

  it('should give up after maxAttempts and throw the last error', async () => {
    const replies = Array.from({ length: 10 }, () => problem(503, 'UNAVAILABLE'));
    const { client, calls } = setup(replies, { retry: { maxAttempts: 3 } });

    const error = await client.instances.get('i-1').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnavailableError);
    expect(calls).toHaveLength(3);
  });

  it('should map network errors to a retryable NetworkError with the system code', async () => {
    const { client, calls } = setup([econnreset(), econnreset()], { retry: { maxAttempts: 2 } });

    const error = await client.instances.get('i-1').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'ECONNRESET', status: 0, retryable: true });
    expect(calls).toHaveLength(2);
  });

  it('should report a timed-out attempt as a retryable TIMEOUT', async () => {
    const timeout = () =>
      new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const { client, calls } = setup([timeout(), json(200, { id: 'i-1' }), timeout(), timeout()], {
      retry: { maxAttempts: 2 },
    });

    await client.instances.get('i-1');
    const error = await client.catalog.zones().catch((e: unknown) => e);

    expect(calls).toHaveLength(4);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('should not retry non-retryable errors and keep the problem details', async () => {
    const { client, calls } = setup([
      problem(400, 'INVALID_ARGUMENT', {
        fieldViolations: [{ field: 'listeners[0].port', description: 'too big' }],
      }),
    ]);

    const error = await client.loadBalancers
      .create({ name: 'x', region: 'r', listeners: [] })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({
      status: 400,
      code: 'INVALID_ARGUMENT',
      requestId: 'req-123',
      retryable: false,
      method: 'POST',
      path: '/v1/load-balancers',
      fieldViolations: [{ field: 'listeners[0].port', description: 'too big' }],
    });
    expect(calls).toHaveLength(1);
  });

  it.each([
    [404, 'NOT_FOUND', NotFoundError],
    [409, 'ALREADY_EXISTS', AlreadyExistsError],
    [400, 'FAILED_PRECONDITION', FailedPreconditionError],
    [412, 'PRECONDITION_FAILED', PreconditionFailedError],
    [429, 'QUOTA_EXCEEDED', QuotaExceededError],
  ])('should map %i %s to its class without retrying', async (status, code, type) => {
    const { client, calls } = setup([problem(status, code)]);

    const error = await client.instances.get('i-1').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(CloudApiError);
    expect(calls).toHaveLength(1);
  });

  it.each([
    [409, 'CONFLICT', ConflictError],
    [429, 'RATE_LIMITED', RateLimitedError],
  ])('should map retryable %i %s to its class after the retries', async (status, code, type) => {
    const { client, calls } = setup([problem(status, code), problem(status, code)], {
      retry: { maxAttempts: 2 },
    });

    const error = await client.instances.get('i-1').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(type);
    expect(calls).toHaveLength(2);
  });

  it('should treat a bare 502 from a proxy as retryable UNAVAILABLE', async () => {
    const { client, calls } = setup([
      new Response('Bad Gateway', { status: 502, headers: { 'content-type': 'text/plain' } }),
      json(200, { id: 'i-1' }),
    ]);

    const instance = await client.instances.get('i-1');

    expect(instance.id).toBe('i-1');
    expect(calls).toHaveLength(2);
  });

  it('should follow nextPageToken through every page', async () => {
    const { client, calls } = setup([
      json(200, { items: [{ id: 'i-1' }, { id: 'i-2' }], nextPageToken: 't1' }),
      json(200, { items: [{ id: 'i-3' }], nextPageToken: 't2' }),
      json(200, { items: [{ id: 'i-4' }] }),
    ]);

    const all = await collect(client.instances.listAll({ zone: 'nimbus-1a' }));

    expect(all.map((i) => i.id)).toEqual(['i-1', 'i-2', 'i-3', 'i-4']);
    expect(calls.map((c) => c.url.searchParams.get('pageToken'))).toEqual([null, 't1', 't2']);
    expect(calls.every((c) => c.url.searchParams.get('zone') === 'nimbus-1a')).toBe(true);
  });

  it('should stop fetching pages once the item is found', async () => {
    const { client, calls } = setup([
      json(200, { items: [{ id: 'lb-1', name: 'a1' }], nextPageToken: 't1' }),
    ]);

    const lb = await client.loadBalancers.getByName('a1');

    expect(lb?.id).toBe('lb-1');
    expect(calls).toHaveLength(1);
    expect(calls[0].url.searchParams.get('name')).toBe('a1');
  });

  it('should refuse a page token that comes back twice', async () => {
    const { client } = setup([
      json(200, { items: [], nextPageToken: 't1' }),
      json(200, { items: [], nextPageToken: 't1' }),
    ]);

    await expect(collect(client.instances.listAll())).rejects.toThrow(/paging loop/);
  });

  it('should poll an operation until it is done', async () => {
    const { client, calls, sleeps } = setup([
      json(200, { ...OP, status: 'running' }),
      json(200, { ...OP, status: 'done' }),
    ]);

    const op = await client.operations.wait(OP as never, { pollIntervalMs: 250 });

    expect(op.status).toBe('done');
    expect(calls.map((c) => c.url.pathname)).toEqual([
      '/v1/operations/op-1',
      '/v1/operations/op-1',
    ]);
    expect(sleeps).toEqual([250, 250]);
  });

  it('should throw the problem of a failed operation', async () => {
    const { client } = setup([
      json(200, {
        ...OP,
        status: 'failed',
        error: { status: 400, code: 'FAILED_PRECONDITION', detail: 'no', retryable: false },
      }),
    ]);

    const error = await client.operations.wait('op-1').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OperationFailedError);
    expect(error).toMatchObject({ code: 'FAILED_PRECONDITION' });
  });

  it('should send If-Match and the JSON body on PUT and use the backend paths with a colon', async () => {
    const { client, calls } = setup([
      json(202, { loadBalancer: LB, operation: OP }),
      json(202, { loadBalancer: LB, operation: OP }),
    ]);

    await client.loadBalancers.update('lb-1', { listeners: [] }, { ifMatch: '"abc"' });
    await client.loadBalancers.addBackends('lb-1', ['i-1']);

    expect(calls[0]).toMatchObject({ method: 'PUT', body: { listeners: [] } });
    expect(calls[0].headers['If-Match']).toBe('"abc"');
    expect(calls[1].url.pathname).toBe('/v1/load-balancers/lb-1/backends:add');
    expect(calls[1].body).toEqual({ instanceIds: ['i-1'] });
  });
});
