import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from './program';

describe('nimbus --version', () => {
  it("should print package.json's version and the Node.js running it", async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));
    let written = '';
    const program = buildProgram()
      .exitOverride()
      .configureOutput({ writeOut: (text) => (written += text) });
    for (const flag of ['--version', '-v']) {
      written = '';
      await expect(program.parseAsync(['node', 'nimbus', flag])).rejects.toMatchObject({
        code: 'commander.version',
      });
      expect(written).toBe(`nimbus ${version} (Node.js ${process.version})\n`);
    }
  });
});
