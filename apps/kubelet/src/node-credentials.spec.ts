import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNodeTokenKey, verifyNodeToken } from '@app/common';
import { noopLogger } from '@app/controller-runtime';
import { KubeConfig, KubeRest, RestEventSink, type PodObject } from '@app/kube-client';
import { NodeCredentials } from './node-credentials';
import { PodStatusWriter } from './pods/pod-status-writer';

/** A KubeRest that records who sent what instead of sending it. */
function recordingRest(calls: { auth: string; path: string }[]): KubeRest {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u', token: 'shared-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const rest = new KubeRest(kc);
  const original = rest.withBearerToken.bind(rest);
  const record = (client: KubeRest, auth: string) => {
    client.request = (req) => {
      calls.push({ auth, path: req.path });
      return Promise.resolve({ metadata: { resourceVersion: '7' } } as never);
    };
    return client;
  };
  rest.withBearerToken = (token) => record(original(token), token);
  return record(rest, 'shared-token');
}

describe('NodeCredentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-node-creds-'));
  const keyFile = join(dir, 'node-token.key');
  const key = loadNodeTokenKey(keyFile, true);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("should send each pod's status and each node's events with that node's own token", async () => {
    const calls: { auth: string; path: string }[] = [];
    const credentials = new NodeCredentials(recordingRest(calls), keyFile);
    expect(credentials.perNode).toBe(true);
    const writer = new PodStatusWriter((node) => credentials.restFor(node), noopLogger);
    const pod = (name: string, nodeName: string): PodObject => ({
      metadata: { name, namespace: 'ns', uid: name },
      spec: { nodeName, containers: [] },
    });
    await writer.write(pod('a', 'worker-1'), '/api/v1/namespaces/ns/pods/a', { phase: 'Running' });
    await writer.write(pod('b', 'worker-2'), '/api/v1/namespaces/ns/pods/b', { phase: 'Running' });
    const sink = new RestEventSink((event) => credentials.restFor(event.source.host));
    await sink.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'ns' },
      involvedObject: { kind: 'Pod', namespace: 'ns', name: 'b' },
      reason: 'Started',
      message: 'Started container app',
      type: 'Normal',
      source: { component: 'kubelet', host: 'worker-2' },
      firstTimestamp: '',
      lastTimestamp: '',
      count: 1,
      reportingComponent: 'kubelet',
      reportingInstance: 'worker-2',
    });
    expect(calls.map((c) => [verifyNodeToken(key, c.auth), c.path])).toEqual([
      ['worker-1', '/api/v1/namespaces/ns/pods/a/status'],
      ['worker-2', '/api/v1/namespaces/ns/pods/b/status'],
      ['worker-2', '/api/v1/namespaces/ns/events'],
    ]);
    // One client per node, reused.
    expect(credentials.restFor('worker-1')).toBe(credentials.restFor('worker-1'));
  });

  it('should use the shared identity without a key', () => {
    const calls: { auth: string; path: string }[] = [];
    const shared = recordingRest(calls);
    const credentials = new NodeCredentials(shared, undefined);
    expect(credentials.perNode).toBe(false);
    expect(credentials.restFor('worker-1')).toBe(shared);
  });
});
