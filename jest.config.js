// One jest run over every workspace. ts-jest transpiles only (isolatedModules);
// `npm run typecheck` does the type checking once, before jest starts.
/** @type {import('jest').Config} */
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/protocol', '<rootDir>/firmware', '<rootDir>/host-tools', '<rootDir>/hil-tests'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: {
    '^@stipple/protocol$': '<rootDir>/protocol/src/index.ts',
    '^@stipple/protocol/(.*)$': '<rootDir>/protocol/src/$1',
    '^@stipple/firmware/(.*)$': '<rootDir>/firmware/src/$1',
    '^@stipple/host-tools$': '<rootDir>/host-tools/src/index.ts',
    '^@stipple/host-tools/(.*)$': '<rootDir>/host-tools/src/$1',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  testTimeout: 120000,
};
