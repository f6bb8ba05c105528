// Two projects: fast unit specs next to the code, and e2e specs that boot real servers on loopback.
// @swc/jest keeps decorator metadata (Nest DI and class-validator need it); client-node is ESM-only,
// so it (and its ESM dependencies) must be transformed too.
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
};
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', swc] },
  transformIgnorePatterns: [
    '/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose)/)',
  ],
  moduleNameMapper: { '^@app/([^/]+)(/.*)?$': '<rootDir>/libs/$1/src$2' },
};
// No forceExit: every suite closes what it opens, so Jest exits by itself (a leaked handle shows
// up as a hang or "did not exit" warning instead of being hidden).
module.exports = {
  // Real servers on a shared, loaded machine: 5 s is too tight for a whole scenario, and a CCM
  // harness may wait 45 s for its controllers to drain on close. (A global
  // option: Jest ignores testTimeout inside a project.)
  testTimeout: 60_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/migrations'],
      testRegex: '.*\\.spec\\.ts$',
    },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/apps', '<rootDir>/libs'],
      testRegex: '.*\\.e2e-spec\\.ts$',
    },
  ],
};
