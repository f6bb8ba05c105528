#!/usr/bin/env node
'use strict';
// The `nimbus` command. The CLI itself lives in apps/cli (compiled to dist/); build with `npm run build`.
const path = require('node:path');
const entry = path.join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
try {
  require.resolve(entry);
} catch {
  console.error('nimbus: not built yet; run `npm run build` (npm start does this for you)');
  process.exit(1);
}
require(entry);
