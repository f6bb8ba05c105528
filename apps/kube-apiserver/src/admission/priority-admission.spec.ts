import type { KubeObject } from '../object/types';
import type { ResourceType } from '../registry/resource-type';
import type { StoredObject } from '../storage/revision';
import type { TypedStore } from '../storage/typed-store';
import { DefaultIngressClassAdmission } from './default-ingress-class';
import { PriorityAdmission } from './priority-admission';

const podType = { group: '', kind: 'Pod' } as ResourceType;
const pcType = { group: 'scheduling.k8s.io', kind: 'PriorityClass' } as ResourceType;
const ingressType = { group: 'networking.k8s.io', kind: 'Ingress' } as ResourceType;

function store(...objects: KubeObject[]): TypedStore {
  const stored = objects.map((object) => ({ object }) as StoredObject);
  return {
    get: (_ns: string, name: string) => stored.find((s) => s.object.metadata.name === name),
    list: () => stored,
  } as unknown as TypedStore;
}
const pc = (name: string, value: number, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'scheduling.k8s.io/v1',
  kind: 'PriorityClass',
  metadata: { name },
  value,
  preemptionPolicy: 'PreemptLowerPriority',
  ...extra,
});
const pod = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
});

describe('Priority admission', () => {
  it('picks the lowest-valued of several global defaults (a race upstream tolerates)', () => {
    const plugin = new PriorityAdmission(
      store(pc('a', 500, { globalDefault: true }), pc('b', 200, { globalDefault: true })),
    );
    const p = pod();
    plugin.admit(podType, p, 'p');
    expect(p.spec).toMatchObject({ priorityClassName: 'b', priority: 200 });
  });

  it("refuses a pod whose preemptionPolicy differs from its class's", () => {
    const plugin = new PriorityAdmission(store(pc('polite', 5, { preemptionPolicy: 'Never' })));
    expect(() =>
      plugin.admit(
        podType,
        pod({ priorityClassName: 'polite', preemptionPolicy: 'PreemptLowerPriority' }),
        'p',
      ),
    ).toThrow(
      'pods "p" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name',
    );
  });

  it('lets the default class itself stay default on update, but not another', () => {
    const current = pc('normal', 100, { globalDefault: true });
    const plugin = new PriorityAdmission(store(current));
    expect(() => plugin.admitUpdate(pcType, { ...current, description: 'x' })).not.toThrow();
    expect(() => plugin.admitUpdate(pcType, pc('other', 1, { globalDefault: true }))).toThrow(
      'PriorityClass normal is already marked as default. Only one default can exist',
    );
  });

  it('protects the system classes from a single delete only', () => {
    const plugin = new PriorityAdmission(store());
    const system = pc('system-cluster-critical', 2000000000);
    expect(() => plugin.admitDelete(pcType, system, {})).toThrow(
      'this is a system priority class and cannot be deleted',
    );
    expect(() => plugin.admitDelete(pcType, system, { collection: true })).not.toThrow();
    expect(() => plugin.admitDelete(pcType, pc('mine', 1), {})).not.toThrow();
  });
});

describe('DefaultIngressClass admission', () => {
  const ic = (name: string, created: string, isDefault: boolean): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      name,
      creationTimestamp: created,
      annotations: isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {},
    },
    spec: { controller: 'example.com/ingress' },
  });
  const ingress = (annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}) =>
    ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'i', namespace: 'default', annotations },
      spec,
    }) as KubeObject;
  const plugin = new DefaultIngressClassAdmission(
    store(
      ic('old', '2026-01-01T00:00:00Z', true),
      ic('plain', '2026-03-01T00:00:00Z', false),
      ic('new', '2026-02-01T00:00:00Z', true),
    ),
  );

  it('gives a class-less Ingress the newest default class', () => {
    const i = ingress();
    plugin.admit(ingressType, i);
    expect(i.spec).toEqual({ ingressClassName: 'new' });
  });

  it('leaves an Ingress that names a class by field or by the legacy annotation', () => {
    const annotated = ingress({ 'kubernetes.io/ingress.class': 'nginx' });
    plugin.admit(ingressType, annotated);
    expect(annotated.spec).toEqual({});
    const named = ingress({}, { ingressClassName: 'plain' });
    plugin.admit(ingressType, named);
    expect(named.spec).toEqual({ ingressClassName: 'plain' });
  });
});
