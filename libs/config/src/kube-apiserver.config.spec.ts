import { ConfigError, KubeApiServerConfig, validateConfig } from '.';

describe('KubeApiServerConfig', () => {
  it('should default to port 6443 and the upstream service range', () => {
    const config = validateConfig(KubeApiServerConfig, {});
    expect(config).toMatchObject({
      port: 6443,
      serviceCidr: '10.96.0.0/12',
      retainRevisions: 1000,
      retainMs: 300_000,
    });
  });

  it('should coerce numbers from option strings', () => {
    expect(validateConfig(KubeApiServerConfig, { port: '0', podStopSeconds: '3' })).toMatchObject({
      port: 0,
      podStopSeconds: 3,
    });
  });

  it('should name every bad option', () => {
    expect(() =>
      validateConfig(KubeApiServerConfig, { port: '-1', serviceCidr: '10.96.0.0/33' }),
    ).toThrow(ConfigError);
    expect(() => validateConfig(KubeApiServerConfig, { serviceCidr: '300.1.1.1/12' })).toThrow(
      /--service-cidr \(NIMBUS_SERVICE_CIDR\)/,
    );
  });
});
