#!/usr/bin/env node
// Makes `npm start` / `npm test` work on a fresh clone: installs dependencies when node_modules is
// missing or was installed from a different package-lock.json, and (with --build) compiles when
// sources are newer than dist. Uses only Node built-ins because it runs before anything is installed.
'use strict';
const { execSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' });
const file = (p) => path.join(root, p);
const mtime = (p) => {
  try {
    return fs.statSync(file(p)).mtimeMs;
  } catch {
    return 0;
  }
};

// The lockfile's content, not its mtime, decides: git checkouts and merges touch mtimes freely.
const lockHash = createHash('sha256')
  .update(fs.readFileSync(file('package-lock.json')))
  .digest('hex');
const stampFile = file('node_modules/.nimbus-lock-hash');
const installedHash = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : '';
if (installedHash !== lockHash) {
  const npmLock = mtime('node_modules/.package-lock.json');
  const upToDate = !installedHash && npmLock > 0 && npmLock >= mtime('package-lock.json');
  if (!upToDate) {
    console.log('nimbus: installing dependencies (npm ci) ...');
    run('npm ci --no-audit --no-fund');
  }
  fs.writeFileSync(stampFile, lockHash);
}

function newestSource(dirs) {
  let newest = 0;
  const walk = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(p);
      } else if (e.name.endsWith('.ts') || e.name.endsWith('.json')) {
        newest = Math.max(newest, fs.statSync(p).mtimeMs);
      }
    }
  };
  dirs.forEach((d) => walk(file(d)));
  return newest;
}

if (process.argv.includes('--build')) {
  // `npm run build` (as CI runs it) leaves no stamp: the compiled entry point dates that build.
  const built = Math.max(mtime('dist/.build-stamp'), mtime('dist/apps/cli/src/main.js'));
  if (
    !built ||
    built < newestSource(['apps', 'libs', 'migrations']) ||
    built < mtime('tsconfig.json')
  ) {
    console.log('nimbus: building ...');
    run('npm run build --silent');
    fs.writeFileSync(file('dist/.build-stamp'), new Date().toISOString());
  }
}
