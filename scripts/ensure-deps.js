#!/usr/bin/env node
// Installs dependencies when node_modules is missing or older than the lockfile,
// so that a fresh clone needs only `npm start` / `npm test` (see README).
'use strict';
const fs = require('fs');
const path = require('path');
const { execSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');

function stale() {
  if (!fs.existsSync(marker)) return true;
  if (!fs.existsSync(lock)) return false;
  return fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs;
}

if (stale()) {
  // npm install, not npm ci: it tolerates a lockfile written by another npm version
  // (optional platform packages), and still installs the locked versions.
  const cmd = 'npm install --no-audit --no-fund';
  process.stderr.write(`stipple: installing dependencies (${cmd})\n`);
  execSync(cmd, { cwd: root, stdio: 'inherit' });
}
