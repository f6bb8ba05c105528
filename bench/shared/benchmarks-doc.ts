import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/**
 * Replaces (or appends) the `<!-- name:start -->…<!-- name:end -->` section of docs/benchmarks.md
 * and formats the file as prettier does, so format:check stays green after a run.
 */
export function writeBenchmarkSection(name: string, section: string): void {
  const file = join(ROOT, 'docs/benchmarks.md');
  let doc: string;
  try {
    doc = readFileSync(file, 'utf8');
  } catch {
    doc =
      '# Benchmarks\n\nNumbers measured on the project machines (2 cores). Regenerate with the npm scripts named in each section.\n\n';
  }
  const re = new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->`);
  doc = re.test(doc) ? doc.replace(re, () => section) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, doc);
  execSync(`npx prettier --write ${file}`, { cwd: ROOT, stdio: 'ignore' });
}
