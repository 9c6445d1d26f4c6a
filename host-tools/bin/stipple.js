#!/usr/bin/env node
// The `stipple` command. Runs the esbuild bundle of host-tools/src/cli/main.ts,
// building it (and the firmware) first when it is missing.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(__dirname, '..', 'dist', 'main.js');
if (!fs.existsSync(cli)) {
  execFileSync(process.execPath, [path.join(root, 'firmware', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(process.execPath, [path.join(root, 'host-tools', 'build.mjs')], { stdio: 'inherit' });
}
require(cli);
