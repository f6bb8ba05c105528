import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { CloudApiConfig } from '@app/config';
import { CloudApiModule } from '../cloud-api.module';
import { OPERATION_NAMES, operationOf } from './operation-name';

/** Every route handler of the cloud API, as `<Controller>.<method>`. */
function routeHandlers(): string[] {
  const controllers = CloudApiModule.forRoot(new CloudApiConfig()).controllers ?? [];
  return controllers.flatMap((controller) => {
    const proto = (controller as { prototype: object }).prototype;
    return Object.getOwnPropertyNames(proto)
      .filter((name) => {
        const handler = (proto as Record<string, unknown>)[name];
        return (
          name !== 'constructor' &&
          typeof handler === 'function' &&
          Reflect.getMetadata(PATH_METADATA, handler) !== undefined &&
          Reflect.getMetadata(METHOD_METADATA, handler) !== undefined
        );
      })
      .map((name) => `${(controller as { name: string }).name}.${name}`);
  });
}

describe('operation names', () => {
  it('should name every route (audit log, fault rules and throttling rely on it)', () => {
    const handlers = routeHandlers();
    expect(handlers.length).toBeGreaterThan(50);
    const missing = handlers.filter((key) => {
      const [controller, handler] = key.split('.');
      return operationOf(controller, handler) === undefined;
    });
    expect(missing).toEqual([]);
  });

  it('should have no stale entries and unique names', () => {
    const handlers = new Set(routeHandlers());
    expect(Object.keys(OPERATION_NAMES).filter((key) => !handlers.has(key))).toEqual([]);
    const names = Object.values(OPERATION_NAMES).map((info) => info.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
