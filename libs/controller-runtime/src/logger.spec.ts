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

/** client-node's ApiException as it reaches callers: message, code, body (the response text). */
const apiException = (code: number, body: unknown) =>
  Object.assign(new Error(`HTTP-Code: ${code}\nMessage: Unknown API Status Code!\nBody: …`), {
    code,
    body,
  });

describe('errorMessage of Kubernetes API errors', () => {
  const forbidden =
    'services "web" is forbidden: User "system:serviceaccount:kube-system:ccm" cannot patch resource "services/status" in API group "" in the namespace "default"';
  const status = {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message: forbidden,
    code: 403,
  };

  it('renders a Kubernetes API error as its Status message, as client-go does', () => {
    expect(errorMessage(apiException(403, JSON.stringify(status)))).toBe(forbidden);
    expect(errorMessage(apiException(403, status))).toBe(forbidden);
  });

  it('falls back to the error message when the body is not a Status with a message', () => {
    const plain = apiException(502, '<html>bad gateway</html>');
    expect(errorMessage(plain)).toBe(plain.message);
    expect(errorMessage(apiException(500, { kind: 'Status', message: '' }))).toContain(
      'HTTP-Code: 500',
    );
    expect(errorMessage(apiException(404, { kind: 'Pod' }))).toContain('HTTP-Code: 404');
  });
});
