/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/domain', '<rootDir>/events', '<rootDir>/pipeline', '<rootDir>/runbooks', '<rootDir>/handlers', '<rootDir>/adapters', '<rootDir>/drill', '<rootDir>/cli', '<rootDir>/infra', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
    // @middy/core 6 ships ESM only; jest's CommonJS runtime (Node < 24.9) cannot require it untransformed.
    '/node_modules/@middy/.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  // dynalite is started once for the whole run on a free loopback port and stopped after.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Registers every AWS SDK client class (production bundles register only what their adapters import).
  setupFiles: ['<rootDir>/test/support/register-clients.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
