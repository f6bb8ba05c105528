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
module.exports = {
  // A leaked handle must never keep CI waiting after the last test.
  forceExit: true,
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
