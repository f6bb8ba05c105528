import { CloudApiConfig } from './cloud-api.config';
import { ConfigError } from './config-error';
import { validateConfig } from './validate-config';

describe('validateConfig', () => {
  it('should apply defaults and convert strings from the command line', () => {
    const config = validateConfig(CloudApiConfig, {
      port: '9090',
      transitionMs: '0',
      seed: undefined,
    });
    expect(config.port).toBe(9090);
    expect(config.transitionMs).toBe(0);
    expect(config.dataDir).toBe('.nimbus');
    expect(config.networkCidr).toBe('10.0.0.0/16');
  });

  it('should name every bad option and its environment variable in one error', () => {
    expect(() =>
      validateConfig(CloudApiConfig, { port: '99999', logLevel: 'loud', token: 'short' }),
    ).toThrow(ConfigError);
    // Both options in the one message (a non-throwing call fails here, not silently).
    expect(() => validateConfig(CloudApiConfig, { port: '99999', logLevel: 'loud' })).toThrow(
      /--port \(NIMBUS_PORT\).*--log-level \(NIMBUS_LOG_LEVEL\)|--log-level \(NIMBUS_LOG_LEVEL\).*--port \(NIMBUS_PORT\)/,
    );
  });

  it('should refuse unknown options', () => {
    expect(() => validateConfig(CloudApiConfig, { colour: 'blue' })).toThrow(/--colour/);
  });
});
