#!/usr/bin/env node
// Makes `npm start` / `npm test` work on a fresh clone: installs dependencies when node_modules is
// missing or older than package-lock.json, and (with --build) compiles when sources are newer than dist.
// Uses only Node built-ins because it runs before anything is installed.
'use strict';
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' });
const mtime = (p) => {
  try {
    return fs.statSync(path.join(root, p)).mtimeMs;
  } catch {
    return 0;
  }
};

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
  dirs.forEach((d) => walk(path.join(root, d)));
  return newest;
}

const installed = mtime('node_modules/.package-lock.json');
if (!installed || installed < mtime('package-lock.json')) {
  console.log('nimbus: installing dependencies (npm ci) ...');
  run('npm ci --no-audit --no-fund');
}

if (process.argv.includes('--build')) {
  const built = mtime('dist/.build-stamp');
  if (
    !built ||
    built < newestSource(['apps', 'libs', 'migrations']) ||
    built < mtime('tsconfig.json')
  ) {
    console.log('nimbus: building ...');
    run('npm run build --silent');
    fs.writeFileSync(path.join(root, 'dist/.build-stamp'), new Date().toISOString());
  }
}
