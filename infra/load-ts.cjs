'use strict';
/**
 * Lets serverless (CommonJS, no TypeScript) load the project's .ts modules: the contract,
 * the stage configuration and the rules generated from the runbook registry
 * (runbooks/routing.ts) are the single source of truth, so the template is built from them
 * rather than from a copy. tsx registers once per process.
 */
let registered = false;

function requireTs(modulePath) {
  if (!registered) {
    require('tsx/cjs/api').register();
    registered = true;
  }
  return require(modulePath);
}

module.exports = { requireTs };
