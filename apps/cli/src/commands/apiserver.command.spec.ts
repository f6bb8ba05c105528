import { ConfigError } from '@app/config';
import { buildProgram } from '../program';

describe('nimbus apiserver', () => {
  it('should be registered with its options', () => {
    const command = buildProgram().commands.find((c) => c.name() === 'apiserver');
    expect(command).toBeDefined();
    expect(command?.options.map((o) => o.long)).toEqual(
      expect.arrayContaining([
        '--port',
        '--host',
        '--data-dir',
        '--token-file',
        '--service-cidr',
        '--log-level',
      ]),
    );
  });

  it('should refuse bad options with a ConfigError naming the option', async () => {
    const program = buildProgram().exitOverride();
    await expect(
      program.parseAsync([
        'node',
        'nimbus',
        'apiserver',
        '--port',
        '70000',
        '--service-cidr',
        'nope',
      ]),
    ).rejects.toThrow(ConfigError);
    await expect(
      buildProgram().parseAsync(['node', 'nimbus', 'apiserver', '--port', '70000']),
    ).rejects.toThrow(/--port \(NIMBUS_PORT\)/);
  });
});
