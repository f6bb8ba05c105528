import type { IncomingMessage, ServerResponse } from 'node:http';
import { AdjustableClock } from '@app/common';
import { openKubeDatabase, type KubeDatabase } from '../database/open-kube-database';
import { ObjectStore } from '../storage/object-store';
import { answerWhenDurable } from './durable-responses';

describe('answerWhenDurable', () => {
  let database: KubeDatabase;
  let store: ObjectStore;

  beforeEach(async () => {
    database = await openKubeDatabase(':memory:');
    store = new ObjectStore(database.db.connection, new AdjustableClock());
    store.load();
  });

  afterEach(async () => {
    await database.dataSource.destroy();
  });

  /** The two methods the wrapper touches; `sent` records what reached the socket. */
  const response = () => {
    const sent: string[] = [];
    const res = {
      end: (body: string) => sent.push(body),
      destroy: () => sent.push('(destroyed)'),
    };
    return { res: res as unknown as ServerResponse, sent };
  };
  const create = (name: string) =>
    store.write({
      group: '',
      resource: 'configmaps',
      type: 'ADDED',
      object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' } },
    });

  /** A request that creates an object and answers: what reached the socket so far. */
  const serveCreate = async () => {
    const { res, sent } = response();
    await answerWhenDurable(store, (_req, r) => {
      create('a');
      r.end('created');
      return Promise.resolve();
    })({} as IncomingMessage, res);
    return sent;
  };

  it('holds a response until the writes before it are committed', async () => {
    const sent = await serveCreate();
    expect(sent).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual(['created']);
  });

  it('answers at once when nothing is pending', async () => {
    const { res, sent } = response();
    await answerWhenDurable(store, (_req, r) => {
      r.end('read');
      return Promise.resolve();
    })({} as IncomingMessage, res);
    expect(sent).toEqual(['read']);
  });

  it('drops the connection when the batch fails to commit', async () => {
    const sent = await serveCreate();
    database.db.connection.exec('DROP TABLE kube_objects');
    expect(() => create('b')).toThrow(/storage failed/);
    expect(sent).toEqual(['(destroyed)']);
  });
});
