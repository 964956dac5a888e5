#!/usr/bin/env node
// Entry point for `autopilot <command>`: loads the TypeScript CLI through tsx (no build step).
require('tsx/cjs/api').register();
require('../cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; })
  .catch((err) => { console.error(err instanceof Error ? err.stack : err); process.exitCode = 1; });
