import { ResourceRegistry } from '../registry/registry';
import { parseResourcePath } from './route';

describe('parseResourcePath: the proxy subresource', () => {
  const registry = new ResourceRegistry();

  it.each([
    ['/api/v1/namespaces/default/pods/web/proxy', ''],
    ['/api/v1/namespaces/default/pods/web/proxy/', '/'],
    ['/api/v1/namespaces/default/pods/web:80/proxy/a/b/', '/a/b/'],
    ['/api/v1/namespaces/proxy/services/proxy/proxy/x%20y/proxy', '/x%20y/proxy'],
  ])('%s proxies to %j', (path, proxyPath) => {
    const route = parseResourcePath(path, registry);
    expect(route?.subresource).toBe('proxy');
    expect(route?.proxyPath).toBe(proxyPath);
  });

  it('keeps other subresources to one segment', () => {
    expect(() =>
      parseResourcePath('/api/v1/namespaces/default/pods/web/status/x', registry),
    ).toThrow('the server could not find the requested resource');
    // An empty segment before /proxy would make the authorizer read other segments.
    expect(() =>
      parseResourcePath('/api/v1/namespaces/default/pods//web/proxy/x', registry),
    ).toThrow('the server could not find the requested resource');
    expect(() => parseResourcePath('/api/v1/nodes/n1/proxy/metrics', registry)).toThrow(
      'the server could not find the requested resource',
    );
  });
});
