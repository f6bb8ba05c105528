import { KubeError } from '../errors/kube-error';
import { channelPorts } from './channel-port-forward';

describe('channelPorts (the ports query of a WebSocket port-forward)', () => {
  it('reads repeated and comma-separated ports', () => {
    expect(channelPorts(new URLSearchParams('ports=80&ports=8080,9090'))).toEqual([80, 8080, 9090]);
  });

  it.each([
    ['', 'query parameter "port" is required'],
    ['ports=', 'query parameter "port" cannot be empty'],
    ['ports=http', 'unable to parse "http" as a port'],
    ['ports=70000', 'unable to parse "70000" as a port'],
    ['ports=80,-1', 'unable to parse "80,-1" as a port'],
    ['ports=0', 'port "0" must be > 0'],
  ])('answers %j with a 400: %s', (query, message) => {
    let error: unknown;
    try {
      channelPorts(new URLSearchParams(query));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KubeError);
    expect((error as KubeError).code).toBe(400);
    expect((error as KubeError).message).toBe(message);
  });
});
