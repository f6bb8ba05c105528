import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, NimbusUpConfig, validateConfig } from '@app/config';
import { startNimbusUp } from './start-nimbus-up';

describe('startNimbusUp', () => {
  it('refuses an unknown CCM feature gate before it creates or starts anything', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'nimbus-up-gates-'));
    const dataDir = join(parent, 'data');
    try {
      const config = validateConfig(NimbusUpConfig, { dataDir, ccmFeatureGates: 'Foo=true' });
      const started: string[] = [];
      const attempt = startNimbusUp(config, (component) => started.push(component));
      await expect(attempt).rejects.toThrow(ConfigError);
      await expect(attempt).rejects.toThrow('--ccm-feature-gates: unrecognized feature gate: Foo');
      expect(started).toEqual([]);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
