import type { NextFunction, Request, Response } from 'express';
import { oneLayer } from './one-layer';

describe('oneLayer', () => {
  const req = {} as Request;
  const res = {} as Response;
  const calls: string[] = [];
  const pass = (name: string) => (_q: Request, _s: Response, next: NextFunction) => {
    calls.push(name);
    next();
  };

  beforeEach(() => calls.splice(0));

  it('should run every middleware in order, then pass on', () => {
    const next = jest.fn();
    oneLayer(pass('a'), pass('b'), pass('c'))(req, res, next);
    expect(calls).toEqual(['a', 'b', 'c']);
    expect(next).toHaveBeenCalledWith();
  });

  it('should stop at an error and hand it on', () => {
    const next = jest.fn();
    const error = new Error('bad body');
    const fail = (_q: Request, _s: Response, n: NextFunction) => n(error);
    oneLayer(pass('a'), fail, pass('c'))(req, res, next);
    expect(calls).toEqual(['a']);
    expect(next).toHaveBeenCalledTimes(1);
    expect(next).toHaveBeenCalledWith(error);
  });

  it('should go on later when a middleware calls next asynchronously', async () => {
    const next = jest.fn();
    const later = (_q: Request, _s: Response, n: NextFunction) => void setImmediate(() => n());
    oneLayer(pass('a'), later, pass('c'))(req, res, next);
    expect(calls).toEqual(['a']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['a', 'c']);
    expect(next).toHaveBeenCalledWith();
  });
});
