import type { EndpointSliceObject, InformerAdapter } from '@app/kube-client';
import { TargetedPorts } from './targeted-ports';

type Handler = {
  onAdd(s: EndpointSliceObject): void;
  onUpdate(o: EndpointSliceObject, s: EndpointSliceObject): void;
  onDelete(s: EndpointSliceObject): void;
};

function slice(name: string, uids: string[], ports: { port: number; protocol?: string }[]) {
  return {
    metadata: { namespace: 'default', name },
    addressType: 'IPv4',
    ports,
    endpoints: uids.map((uid, i) => ({
      addresses: [`10.244.1.${i + 2}`],
      targetRef: { kind: 'Pod', uid, name: uid },
    })),
  } as EndpointSliceObject;
}

describe('TargetedPorts (ports Services send to a pod)', () => {
  it('collects the ports of every slice naming the pod and reports the pods that changed', () => {
    let handler: Handler | undefined;
    const informer = {
      addEventHandler: (h: Handler) => (handler = h),
    } as unknown as InformerAdapter<EndpointSliceObject>;
    const changed: string[][] = [];
    const ports = new TargetedPorts(informer, (uids) => changed.push([...uids].sort()));
    const web = slice('web-1', ['a', 'b'], [{ port: 80 }]);
    handler!.onAdd(web);
    handler!.onAdd(
      slice(
        'dns-1',
        ['a'],
        [
          { port: 53, protocol: 'UDP' },
          { port: 9, protocol: 'SCTP' },
        ],
      ),
    );
    expect(ports.portsOf('a')).toEqual([
      { port: 80, protocol: 'TCP' },
      { port: 53, protocol: 'UDP' },
    ]);
    expect(ports.portsOf('b')).toEqual([{ port: 80, protocol: 'TCP' }]);
    expect(changed).toEqual([['a', 'b'], ['a']]);
    handler!.onUpdate(web, slice('web-1', ['a'], [{ port: 80 }]));
    expect(ports.portsOf('b')).toEqual([]);
    expect(changed.at(-1)).toEqual(['b']);
    handler!.onDelete(slice('dns-1', [], []));
    expect(ports.portsOf('a')).toEqual([{ port: 80, protocol: 'TCP' }]);
    expect(changed.at(-1)).toEqual(['a']);
  });
});
