#!/usr/bin/env node
// Entry point for `autopilot <command>`: loads the TypeScript CLI through tsx (no build step).
//
// The project runs on Node 22 (Lambda's nodejs22.x), from the node@22 devDependency. npm
// scripts and npx put it first on PATH; `node bin/autopilot.cjs` started by an older system
// Node re-runs itself on it, so every command sees the runtime's major version (and the
// AWS SDK prints no deprecation notice for an old Node).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const REQUIRED_MAJOR = 22;
const projectNode = join(__dirname, '..', 'node_modules', 'node', 'bin', 'node');
const major = Number(process.versions.node.split('.')[0]);
if (major < REQUIRED_MAJOR && existsSync(projectNode) && !process.env.AUTOPILOT_NODE_REEXEC) {
  const { spawnSync } = require('node:child_process');
  const r = spawnSync(projectNode, [__filename, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, AUTOPILOT_NODE_REEXEC: '1' } });
  if (r.error) {
    console.error(`cannot start ${projectNode}: ${r.error.message}`);
    process.exit(1);
  }
  process.exit(r.status ?? 1);
}

require('tsx/cjs/api').register();
require('../cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; })
  .catch((err) => { console.error(err instanceof Error ? err.stack : err); process.exitCode = 1; });
