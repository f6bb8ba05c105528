import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createServiceAccount,
  eventually,
  kubectlFor,
  requireKubectl,
  startTestServer,
  type Kubectl,
  type TestServer,
} from './support/test-server';

// The acceptance checks of the reference (section 15), driven through the real kubectl 1.32 with
// nothing but the kubeconfig the server wrote.
const fixtures = join(__dirname, 'fixtures');
jest.setTimeout(60_000);

describe('kubectl acceptance', () => {
  let t: TestServer;
  let k: Kubectl;
  let work: string;

  const ok = async (args: string[], options?: Parameters<Kubectl>[1]) => {
    const r = await k(args, options);
    if (r.code !== 0) {
      throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    }
    return r.stdout;
  };

  const setNodeReady = (status: 'True' | 'False') =>
    ok([
      'patch',
      'node',
      'node-1',
      '--subresource',
      'status',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ status: { conditions: [{ type: 'Ready', status }] } }),
    ]);

  beforeAll(async () => {
    requireKubectl();
    t = await startTestServer();
    work = mkdtempSync(join(tmpdir(), 'nimbus-kubectl-'));
    k = kubectlFor(t.server.kubeconfigPath, join(work, 'cache'));
    await createServiceAccount(t.server);
    await ok(['create', '-f', join(fixtures, 'node.yaml')]);
    await ok(['create', '-f', join(fixtures, 'pod-1.yaml')]);
  });

  afterAll(async () => {
    await t?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  describe('discovery and version', () => {
    it('should report minor version 32 (check 1)', async () => {
      const out = JSON.parse(await ok(['version', '-o', 'json'])) as {
        serverVersion: { minor: string };
      };
      expect(out.serverVersion.minor).toBe('32');
    });

    it('should list the resources and discover with two requests (check 2)', async () => {
      const resources = await ok(['api-resources']);
      for (const r of [
        'namespaces',
        'nodes',
        'pods',
        'services',
        'endpoints',
        'persistentvolumes',
        'persistentvolumeclaims',
        'events',
        'endpointslices',
        'storageclasses',
        'volumeattachments',
        'leases',
      ]) {
        expect(resources).toMatch(new RegExp(`^${r}\\s`, 'm'));
      }
      const fresh = kubectlFor(t.server.kubeconfigPath, join(work, 'cache-fresh'));
      const r = await fresh(['-v=6', 'get', 'nodes']);
      const requests = [...r.stderr.matchAll(/(GET|POST) https:\/\/[^/]+(\S+) 200/g)].map(
        (m) => `${m[1]} ${m[2]}`,
      );
      expect(requests).toEqual([
        'GET /api?timeout=32s',
        'GET /apis?timeout=32s',
        'GET /api/v1/nodes?limit=500',
      ]);
    });

    it('should serve legacy APIResourceLists (check 3)', async () => {
      expect(JSON.parse(await ok(['get', '--raw', '/api/v1'])).kind).toBe('APIResourceList');
      expect(JSON.parse(await ok(['get', '--raw', '/apis/storage.k8s.io/v1'])).kind).toBe(
        'APIResourceList',
      );
    });

    it('should list every group version in the OpenAPI v3 root (check 4)', async () => {
      const keys = Object.keys(
        (JSON.parse(await ok(['get', '--raw', '/openapi/v3'])) as { paths: object }).paths,
      );
      expect(keys).toEqual(
        expect.arrayContaining([
          'api/v1',
          'apis/storage.k8s.io/v1',
          'apis/coordination.k8s.io/v1',
          'apis/discovery.k8s.io/v1',
          'apis/events.k8s.io/v1',
        ]),
      );
    });
  });

  describe('get and describe', () => {
    it('should list the bootstrapped namespaces as Active (check 5)', async () => {
      const out = await ok(['get', 'ns']);
      for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
        expect(out).toMatch(new RegExp(`^${ns}\\s+Active`, 'm'));
      }
    });

    it('should print node columns, wide ones with -o wide (check 6)', async () => {
      expect(await ok(['get', 'nodes'])).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n/);
      expect(await ok(['get', 'nodes', '-o', 'wide'])).toMatch(
        /INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE/,
      );
    });

    it('should page, select and reject unknown field labels (check 7)', async () => {
      const all = await ok(['get', 'pods', '-A', '--show-labels']);
      expect(all).toMatch(/^NAMESPACE\s+NAME.*LABELS/);
      expect(all).toMatch(/default\s+pod-1.*app=demo/);
      await ok(['run', 'extra', '--image=x']);
      const chunked = await ok(['get', 'pods', '-A', '--chunk-size=1']);
      expect(chunked).toContain('pod-1');
      expect(chunked).toContain('extra');
      const filtered = await ok([
        'get',
        'pods',
        '-l',
        'app in (demo)',
        '--field-selector',
        'spec.nodeName=node-1',
      ]);
      expect(filtered).toContain('pod-1');
      expect(filtered).not.toContain('extra');
      const bad = await k(['get', 'pods', '--field-selector', 'foo=bar']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('Error from server (BadRequest)');
      expect(bad.stderr).toContain('field label not supported: foo');
      await ok(['delete', 'pod', 'extra']);
    });

    it('should describe a node with conditions, pods, lease and events (check 8)', async () => {
      await ok(['apply', '-f', join(fixtures, 'objs.yaml')]);
      const uid = await ok(['get', 'node', 'node-1', '-o', 'jsonpath={.metadata.uid}']);
      await ok(['create', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: 'node-1.started', namespace: 'default' },
          involvedObject: { kind: 'Node', name: 'node-1', uid, apiVersion: 'v1' },
          reason: 'Starting',
          message: 'Starting kubelet.',
          type: 'Normal',
          source: { component: 'kubelet', host: 'node-1' },
          firstTimestamp: '2026-11-26T19:00:00Z',
          lastTimestamp: '2026-11-26T19:00:00Z',
          count: 1,
        }),
      });
      const out = await ok(['describe', 'node', 'node-1']);
      expect(out).toContain('Conditions:');
      expect(out).toMatch(/Non-terminated Pods:\s+\(1 in total\)/);
      expect(out).toMatch(/Lease:\n\s+HolderIdentity:\s+node-1/);
      expect(out).not.toContain('Failed to get lease');
      expect(out).toMatch(/Events:[\s\S]*Starting kubelet\./);
      await ok(['create', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name: 'web' },
          subsets: [{ addresses: [{ ip: '10.0.0.5' }], ports: [{ port: 8080 }] }],
        }),
      });
      await ok(['create', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
          addressType: 'IPv4',
          endpoints: [{ addresses: ['10.0.0.5'] }],
          ports: [{ port: 8080 }],
        }),
      });
      await ok(['create', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'storage.k8s.io/v1',
          kind: 'VolumeAttachment',
          metadata: { name: 'va-1' },
          spec: {
            attacher: 'example.com/fake',
            nodeName: 'node-1',
            source: { persistentVolumeName: 'pv-1' },
          },
        }),
      });
      for (const target of [
        ['pod', 'pod-1'],
        ['svc', 'web'],
        ['ep', 'web'],
        ['endpointslice', 'web-abc'],
        ['pv', 'pv-1'],
        ['pvc', 'data'],
        ['sc', 'standard'],
        ['volumeattachment', 'va-1'],
        ['lease', '-n', 'kube-node-lease', 'node-1'],
        ['ns', 'default'],
        ['ev', 'node-1.started'],
      ]) {
        await ok(['describe', ...target]);
      }
    });

    it('should say NotFound for a missing pod (check 9)', async () => {
      const r = await k(['get', 'pod', 'nope']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Error from server (NotFound): pods "nope" not found');
    });
  });

  describe('apply, create, replace, edit, patch', () => {
    it('should create, leave unchanged and configure with client-side apply (check 10)', async () => {
      const again = await ok(['apply', '-f', join(fixtures, 'objs.yaml')]);
      expect(again).toContain('service/web unchanged');
      expect(again).toContain('lease.coordination.k8s.io/node-1 unchanged');
      expect(await ok(['apply', '-f', join(fixtures, 'objs2.yaml')])).toContain(
        'service/web configured',
      );
      expect(JSON.parse(await ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports}']))).toEqual([
        { port: 81, protocol: 'TCP', targetPort: 8080 },
      ]);
    });

    it('should apply server-side and dry-run without storing (check 11)', async () => {
      expect(await ok(['apply', '--server-side', '-f', join(fixtures, 'objs.yaml')])).toContain(
        'service/web serverside-applied',
      );
      expect(JSON.parse(await ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports}']))).toEqual([
        { port: 80, protocol: 'TCP', targetPort: 8080 },
      ]);
      const rv = await ok(['get', 'svc', 'web', '-o', 'jsonpath={.metadata.resourceVersion}']);
      expect(await ok(['apply', '--dry-run=server', '-f', join(fixtures, 'objs2.yaml')])).toContain(
        'configured (server dry run)',
      );
      expect(await ok(['get', 'svc', 'web', '-o', 'jsonpath={.metadata.resourceVersion}'])).toBe(
        rv,
      );
    });

    it('should refuse to create an existing node (check 12)', async () => {
      const r = await k(['create', '-f', join(fixtures, 'node.yaml')]);
      expect(r.stderr).toContain('Error from server (AlreadyExists)');
    });

    it('should refuse a replace with a stale resourceVersion (check 13)', async () => {
      writeFileSync(join(work, 'n.yaml'), await ok(['get', 'node', 'node-1', '-o', 'yaml']));
      await ok(['label', 'node', 'node-1', 'x=1']);
      const r = await k(['replace', '-f', join(work, 'n.yaml')]);
      expect(r.stderr).toContain('Error from server (Conflict)');
      expect(r.stderr).toContain('the object has been modified');
    });

    it('should patch with all three kubectl patch types and respect /status (check 14)', async () => {
      expect(
        await ok(['patch', 'node', 'node-1', '-p', '{"spec":{"unschedulable":true}}']),
      ).toContain('patched');
      expect(
        await ok([
          'patch',
          'node',
          'node-1',
          '--type',
          'merge',
          '-p',
          '{"metadata":{"labels":{"m":"y"}}}',
        ]),
      ).toContain('patched');
      expect(
        await ok([
          'patch',
          'node',
          'node-1',
          '--type',
          'json',
          '-p',
          '[{"op":"add","path":"/metadata/labels/z","value":"w"}]',
        ]),
      ).toContain('patched');
      const labels = JSON.parse(
        await ok(['get', 'node', 'node-1', '-o', 'jsonpath={.metadata.labels}']),
      );
      expect(labels).toMatchObject({ m: 'y', z: 'w' });
      const specBefore = await ok(['get', 'node', 'node-1', '-o', 'jsonpath={.spec}']);
      await setNodeReady('False');
      expect(
        await ok(['get', 'node', 'node-1', '-o', 'jsonpath={.status.conditions[0].status}']),
      ).toBe('False');
      expect(await ok(['get', 'node', 'node-1', '-o', 'jsonpath={.spec}'])).toBe(specBefore);
      await ok(['patch', 'node', 'node-1', '--type', 'merge', '-p', '{"status":{"phase":"x"}}']);
      expect(await ok(['get', 'node', 'node-1', '-o', 'jsonpath={.status.phase}'])).toBe('');
      await setNodeReady('True');
      await ok(['patch', 'node', 'node-1', '-p', '{"spec":{"unschedulable":null}}']);
    });

    it('should edit through KUBE_EDITOR with one strategic-merge patch (check 15)', async () => {
      await ok(['label', 'node', 'node-1', 'foo=bar']);
      const editor = join(work, 'ed.sh');
      writeFileSync(editor, '#!/bin/sh\nsed -i s/foo:\\ bar/foo:\\ baz/ "$1"\n');
      chmodSync(editor, 0o755);
      expect(
        await ok(['edit', 'node', 'node-1'], { env: { EDITOR: editor, KUBE_EDITOR: editor } }),
      ).toContain('edited');
      expect(await ok(['get', 'node', 'node-1', '-o', 'jsonpath={.metadata.labels.foo}'])).toBe(
        'baz',
      );
    });

    it('should cordon and taint (check 16)', async () => {
      await ok(['cordon', 'node-1']);
      expect(await ok(['get', 'node', 'node-1'])).toMatch(/node-1\s+Ready,SchedulingDisabled/);
      await ok(['taint', 'node', 'node-1', 'k=v:NoSchedule']);
      expect(
        JSON.parse(await ok(['get', 'node', 'node-1', '-o', 'jsonpath={.spec.taints}'])),
      ).toEqual([{ effect: 'NoSchedule', key: 'k', value: 'v' }]);
      await ok(['uncordon', 'node-1']);
    });

    it('should create configmaps, secrets, service accounts and quotas from protobuf bodies', async () => {
      await ok(['create', 'configmap', 'c1', '--from-literal=a=b']);
      await ok(['create', 'secret', 'generic', 's1', '--from-literal=user=admin']);
      await ok(['create', 'serviceaccount', 'robot']);
      await ok(['create', 'quota', 'q1', '--hard=pods=10,cpu=2']);
      expect(await ok(['get', 'configmap', 'c1', '-o', 'jsonpath={.data.a}'])).toBe('b');
      expect(await ok(['get', 'secret', 's1', '-o', 'jsonpath={.type} {.data.user}'])).toBe(
        `Opaque ${Buffer.from('admin').toString('base64')}`,
      );
      expect(await ok(['get', 'sa'])).toMatch(/^robot\s/m);
      expect(await ok(['get', 'quota', 'q1', '-o', 'jsonpath={.spec.hard.pods}'])).toBe('10');
    });

    it('should create a namespace and a service from protobuf bodies', async () => {
      expect(await ok(['create', 'ns', 'proto-ns'])).toContain('namespace/proto-ns created');
      expect(await ok(['create', 'ns', 'proto-dry', '--dry-run=server'])).toContain(
        '(server dry run)',
      );
      expect((await k(['get', 'ns', 'proto-dry'])).code).toBe(1);
      expect(await ok(['create', 'service', 'nodeport', 's2', '--tcp=80:8080'])).toContain(
        'service/s2 created',
      );
      const svc = JSON.parse(await ok(['get', 'svc', 's2', '-o', 'json'])) as {
        spec: {
          clusterIP: string;
          type: string;
          ports: { nodePort: number; targetPort: number }[];
        };
      };
      expect(svc.spec.type).toBe('NodePort');
      expect(svc.spec.clusterIP).toMatch(/^10\.9[6-9]\./);
      expect(svc.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
      expect(svc.spec.ports[0].targetPort).toBe(8080);
    });
  });

  describe('delete, wait, watch', () => {
    it('should delete an unscheduled pod at once (check 17)', async () => {
      await ok(['run', 'p', '--image=x']);
      expect(await ok(['delete', 'pod', 'p'])).toContain('pod "p" deleted');
      expect((await k(['get', 'pod', 'p'])).code).toBe(1);
      await ok(['run', 'orphaned', '--image=x']);
      expect(await ok(['delete', 'pod', 'orphaned', '--cascade=orphan'])).toContain('deleted');
      expect((await k(['get', 'pod', 'orphaned'])).code).toBe(1);
    });

    it('should keep a pod with a finalizer Terminating until it is removed (check 18)', async () => {
      await ok(['run', 'p3', '--image=x']);
      await ok(['patch', 'pod', 'p3', '-p', '{"metadata":{"finalizers":["x/y"]}}']);
      await ok(['delete', 'pod', 'p3', '--wait=false']);
      expect(await ok(['get', 'pod', 'p3'])).toMatch(/p3\s+0\/1\s+Terminating/);
      // The finalizer goes only once kubectl is really waiting (its watch is open), so the test
      // shows that the wait ends on the deletion, not that the pod was already gone.
      const waiting = k.spawn(['-v=6', 'delete', 'pod', 'p3', '--timeout=30s']);
      await eventually(() => expect(waiting.output()).toMatch(/pods\?.*watch=true\S* 200 OK/));
      await ok([
        'patch',
        'pod',
        'p3',
        '--type',
        'json',
        '-p',
        '[{"op":"remove","path":"/metadata/finalizers"}]',
      ]);
      const code = await waiting.closed;
      expect(waiting.output()).toContain('pod "p3" deleted');
      expect(code).toBe(0);
      expect((await k(['get', 'pod', 'p3'])).code).toBe(1);
    });

    it('should wait for conditions, time out without hanging and follow jsonpath (check 19)', async () => {
      const never = await k(['wait', '--for=condition=Ready', 'pod/pod-1', '--timeout=2s']);
      expect(never.code).not.toBe(0);
      expect(never.stderr).toContain('timed out');
      const notDeleted = await k(['wait', '--for=delete', 'pod/pod-1', '--timeout=2s']);
      expect(notDeleted.code).not.toBe(0);
      expect(notDeleted.stderr).toContain('timed out');
      const waiting = k.spawn([
        '-v=6',
        'wait',
        '--for=condition=Ready',
        'pod/pod-1',
        '--timeout=30s',
      ]);
      await eventually(() => expect(waiting.output()).toMatch(/pods\?.*watch=true\S* 200 OK/));
      await ok([
        'patch',
        'pod',
        'pod-1',
        '--subresource',
        'status',
        '--type',
        'merge',
        '-p',
        '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}',
      ]);
      expect(await waiting.closed).toBe(0);
      expect(waiting.output()).toContain('condition met');
      expect(await ok(['wait', '--for=condition=Ready', 'pod/pod-1', '--timeout=5s'])).toContain(
        'condition met',
      );
      expect(
        await ok(['wait', '--for=jsonpath={.status.phase}=Running', 'pod/pod-1', '--timeout=5s']),
      ).toContain('condition met');
    });

    it('should stream rows for get -w and watch events (check 20)', async () => {
      const list = k.spawn(['get', 'pods', '-w']);
      const events = k.spawn(['get', 'pods', '-A', '-w', '--output-watch-events']);
      const single = k.spawn(['get', 'pod', 'pod-1', '-w']);
      await eventually(() => expect(events.output()).toContain('pod-1'));
      await eventually(() => expect(list.output()).toContain('pod-1'));
      await ok(['run', 'w1', '--image=x']);
      await ok(['label', 'pod', 'w1', 'seen=yes']);
      await ok(['delete', 'pod', 'w1']);
      await eventually(() => expect(events.output()).toMatch(/DELETED\s+default\s+w1/));
      await eventually(() => expect(list.output().match(/^w1\s/gm)?.length).toBe(3));
      expect(events.output()).toMatch(
        /ADDED\s+default\s+w1[\s\S]*MODIFIED\s+default\s+w1[\s\S]*DELETED\s+default\s+w1/,
      );
      await eventually(() => expect(single.output().match(/^pod-1\s/gm)?.length).toBe(1));
      for (const p of [list, events, single]) {
        p.process.kill();
      }
    });

    it('should send 410 Expired after compaction (check 21)', async () => {
      await ok(['label', 'pod', 'pod-1', 'bump=1']);
      t.server.compact();
      const out = await ok(['get', '--raw', '/api/v1/pods?watch=1&resourceVersion=1']);
      const first = JSON.parse(out.split('\n')[0]) as {
        type: string;
        object: { code: number; reason: string };
      };
      expect(first.type).toBe('ERROR');
      expect(first.object).toMatchObject({ code: 410, reason: 'Expired' });
    });

    it('should end a watch after timeoutSeconds (check 22)', async () => {
      const r = await k(['get', '--raw', '/api/v1/pods?watch=1&timeoutSeconds=2'], {
        timeoutMs: 15_000,
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('"type":"ADDED"');
    });
  });

  describe('namespaces and timestamps', () => {
    it('should create, forbid new content while terminating and delete a namespace (check 23)', async () => {
      const yaml = await ok(['create', 'ns', 't1', '--dry-run=client', '-o', 'yaml']);
      expect(await ok(['apply', '-f', '-'], { input: yaml })).toContain('namespace/t1 created');
      await createServiceAccount(t.server, 't1');
      await ok(['run', 'p', '-n', 't1', '--image=x']);
      await ok(['patch', 'pod', 'p', '-n', 't1', '-p', '{"metadata":{"finalizers":["x/y"]}}']);
      const deleting = k(['delete', 'ns', 't1', '--timeout=20s']);
      await eventually(async () => expect(await ok(['get', 'ns', 't1'])).toContain('Terminating'));
      const q = await k(['run', 'q', '-n', 't1', '--image=x']);
      expect(q.stderr).toContain('Error from server (Forbidden)');
      expect(q.stderr).toContain('because it is being terminated');
      await ok([
        'patch',
        'pod',
        'p',
        '-n',
        't1',
        '--type',
        'json',
        '-p',
        '[{"op":"remove","path":"/metadata/finalizers"}]',
      ]);
      expect((await deleting).code).toBe(0);
      expect((await k(['get', 'ns', 't1'])).code).toBe(1);
    });

    it('should forbid deleting default (check 24)', async () => {
      const r = await k(['delete', 'ns', 'default']);
      expect(r.stderr).toContain(
        'Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted',
      );
    });

    it('should say the namespace is missing (check 25)', async () => {
      const r = await k(['run', 'r', '-n', 'nope', '--image=x']);
      expect(r.stderr).toContain('Error from server (NotFound): namespaces "nope" not found');
    });

    it('should write MicroTime with six digits (check 26)', async () => {
      await ok([
        'patch',
        'lease',
        '-n',
        'kube-node-lease',
        'node-1',
        '--type',
        'merge',
        '-p',
        '{"spec":{"renewTime":"2026-11-26T19:00:00.123Z"}}',
      ]);
      expect(
        await ok([
          'get',
          'lease',
          '-n',
          'kube-node-lease',
          'node-1',
          '-o',
          'jsonpath={.spec.renewTime}',
        ]),
      ).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(await ok(['describe', 'node', 'node-1'])).not.toContain('Failed to get lease');
    });

    it('should drain a node through evictions', async () => {
      await ok([
        'run',
        'drained',
        '--image=x',
        '--overrides',
        '{"spec":{"nodeName":"node-1","terminationGracePeriodSeconds":5}}',
      ]);
      const out = await k(['drain', 'node-1', '--ignore-daemonsets', '--force', '--timeout=20s']);
      expect(out.code).toBe(0);
      expect((await k(['get', 'pod', 'drained'])).code).toBe(1);
      await ok(['uncordon', 'node-1']);
    });
  });

  it('should keep the written kubeconfig self-contained', () => {
    const kubeconfig = readFileSync(t.server.kubeconfigPath, 'utf8');
    expect(kubeconfig).toContain('certificate-authority-data');
    expect(kubeconfig).toContain(`server: ${t.server.url}`);
    expect(kubeconfig).not.toContain('insecure-skip-tls-verify');
  });
});
