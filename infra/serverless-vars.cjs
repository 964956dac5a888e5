'use strict';
/**
 * Variables serverless.yml resolves with ${file(./infra/serverless-vars.cjs):<name>}.
 * Each is a function serverless calls with its resolver, so the stage is the one the
 * command runs for (--stage, default dev).
 */
const path = require('node:path');
const { requireTs } = require('./load-ts.cjs');

const load = () => requireTs(path.join(__dirname, 'serverless-config.ts'));

module.exports = {
  functions: async ({ resolveVariable }) => load().serverlessFunctions(await resolveVariable('sls:stage')),
  environment: async ({ resolveVariable }) => load().environmentFor(await resolveVariable('sls:stage')),
  region: async ({ resolveVariable }) => load().regionFor(await resolveVariable('sls:stage')),
};
