import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeKubeProtobuf,
  encodeKubeProtobuf,
  encodeMessage,
  messageTypeFor,
  ProtobufError,
  wrapEnvelope,
} from './envelope';

// Golden fixtures written by Go's serializers (kubernetes/api testdata, see testdata/README.md).
const testdata = join(__dirname, 'testdata');
const fixtures = readdirSync(testdata)
  .filter((f) => f.endsWith('.pb'))
  .map((f) => f.replace(/\.pb$/, ''));

describe('Kubernetes protobuf codec', () => {
  it.each(fixtures)('should decode %s to the JSON Go writes for it', (name) => {
    const pb = readFileSync(join(testdata, `${name}.pb`));
    const json = JSON.parse(readFileSync(join(testdata, `${name}.json`), 'utf8')) as Record<
      string,
      unknown
    >;
    const decoded = decodeKubeProtobuf(pb);
    expect(decoded.kind).toBe(json.kind);
    expect(decoded.object).toEqual(json);
    // Same key order too: Go writes struct fields in declaration order.
    expect(JSON.stringify(decoded.object)).toBe(JSON.stringify(json));
  });

  it.each(fixtures)('should encode %s to the exact bytes Go writes', (name) => {
    const pb = readFileSync(join(testdata, `${name}.pb`));
    const json = JSON.parse(readFileSync(join(testdata, `${name}.json`), 'utf8')) as Record<
      string,
      unknown
    >;
    const encoded = encodeKubeProtobuf(json.apiVersion as string, json.kind as string, json);
    expect(encoded?.toString('hex')).toBe(pb.toString('hex'));
  });

  // Lists are written item by item from a per-object cache: the bytes must not change.
  it.each(fixtures)('should encode a list of %s as the whole list message would', (name) => {
    const json = JSON.parse(readFileSync(join(testdata, `${name}.json`), 'utf8')) as Record<
      string,
      unknown
    >;
    const apiVersion = json.apiVersion as string;
    const listKind = `${json.kind as string}List`;
    const listType = messageTypeFor(apiVersion, listKind);
    if (!listType) {
      return; // review kinds have no list
    }
    const other = { ...json, metadata: { name: 'other', labels: { a: 'b' } } };
    const list = {
      kind: listKind,
      apiVersion,
      metadata: { resourceVersion: '7', continue: 'token', remainingItemCount: 3 },
      items: [json, other, json],
    };
    const whole = wrapEnvelope(apiVersion, listKind, encodeMessage(listType, list));
    expect(encodeKubeProtobuf(apiVersion, listKind, list)?.toString('hex')).toBe(
      whole.toString('hex'),
    );
    // Again, from the cache; and an empty list.
    expect(encodeKubeProtobuf(apiVersion, listKind, list)?.toString('hex')).toBe(
      whole.toString('hex'),
    );
    const empty = { kind: listKind, apiVersion, metadata: {}, items: [] };
    expect(encodeKubeProtobuf(apiVersion, listKind, empty)?.toString('hex')).toBe(
      wrapEnvelope(apiVersion, listKind, encodeMessage(listType, empty)).toString('hex'),
    );
  });

  it('should refuse bodies without the envelope and kinds without a message', () => {
    expect(() => decodeKubeProtobuf(Buffer.from('{}'))).toThrow(ProtobufError);
    const foreign = encodeKubeProtobuf('v1', 'ConfigMap', { metadata: { name: 'x' } }) as Buffer;
    const renamed = Buffer.from(
      foreign.toString('binary').replace('ConfigMap', 'ConfigMaq'),
      'binary',
    );
    expect(() => decodeKubeProtobuf(renamed)).toThrow(/no kind "ConfigMaq"/);
    expect(encodeKubeProtobuf('example.com/v1', 'Widget', {})).toBeUndefined();
  });

  it('should keep explicit zeros of pointer fields and drop omitempty zeros', () => {
    const body = encodeKubeProtobuf('v1', 'DeleteOptions', {
      gracePeriodSeconds: 0,
      propagationPolicy: 'Background',
    }) as Buffer;
    expect(decodeKubeProtobuf(body).object).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Background',
    });
    const ns = decodeKubeProtobuf(
      encodeKubeProtobuf('v1', 'Namespace', { metadata: { name: 'foo' } }) as Buffer,
    ).object;
    // What Go's JSON encoder writes for a Namespace decoded from these bytes.
    expect(ns).toEqual({
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'foo', creationTimestamp: null },
      spec: {},
      status: {},
    });
  });
});
