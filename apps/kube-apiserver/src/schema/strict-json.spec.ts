import { SchemaRegistry } from './schema-registry';
import { JsonSyntaxError, JsonTypeError, strictDecodeJson } from './strict-json';

describe('strictDecodeJson', () => {
  const pod = new SchemaRegistry().typeOf({ group: '', version: 'v1', kind: 'Pod' });

  it('should report unknown and duplicate fields in document order and drop unknown ones', () => {
    const { value, strictErrors } = strictDecodeJson(
      '{"metadata":{"name":"a","labels":{"x":"1","x":"2"}},"spec":{"containers":[{"name":"c","image":"i","foo":1}]},"bar":true}',
      pod,
    );
    expect(strictErrors).toEqual([
      'duplicate field "metadata.labels.x"',
      'unknown field "spec.containers[0].foo"',
      'unknown field "bar"',
    ]);
    expect(value).toEqual({
      metadata: { name: 'a', labels: { x: '2' } },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    });
  });

  it('should fail on the first value of the wrong type with Go encoding/json wording', () => {
    expect(() => strictDecodeJson('{"spec":{"terminationGracePeriodSeconds":"30"}}', pod)).toThrow(
      new JsonTypeError(
        'json: cannot unmarshal string into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64',
      ),
    );
    expect(() => strictDecodeJson('{"spec":{"containers":{}}}', pod)).toThrow(
      'json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container',
    );
    // Quantities and IntOrStrings take both strings and numbers.
    expect(() =>
      strictDecodeJson(
        '{"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":1}},"ports":[{"containerPort":80}]}]}}',
        pod,
      ),
    ).not.toThrow();
    expect(() => strictDecodeJson('{"a":', pod)).toThrow(JsonSyntaxError);
  });
});
