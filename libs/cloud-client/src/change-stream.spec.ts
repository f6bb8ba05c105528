import { SseParser } from './change-stream';

describe('SseParser', () => {
  it('splits events across chunks, skips comments, joins data lines', () => {
    const p = new SseParser();
    expect(p.push('retry: 2000\n\n: heartbeat\n\nid: 7\nevent: upd')).toEqual([]);
    expect(p.push('ated\ndata: {"a":\ndata: 1}\r\n\r\nid: 8\ndata: x\n')).toEqual([
      { id: '7', event: 'updated', data: '{"a":\n1}' },
    ]);
    expect(p.push('\n')).toEqual([{ id: '8', data: 'x' }]);
  });
});
