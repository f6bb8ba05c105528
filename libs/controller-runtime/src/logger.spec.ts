import pino from 'pino';
import type { Logger } from './logger';
import { errorMessage } from './logger';

describe('Logger', () => {
  it('should accept a pino logger as is', () => {
    const lines: string[] = [];
    const logger: Logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(l) });
    logger.warn({ key: 'default/web' }, 'retrying');
    expect(JSON.parse(lines[0])).toMatchObject({ key: 'default/web', msg: 'retrying', level: 40 });
  });

  it('should render thrown values', () => {
    expect(errorMessage(new Error('x'))).toBe('x');
    expect(errorMessage('y')).toBe('y');
  });
});
