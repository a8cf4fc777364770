// One Jest config per Nx project, with two tiers that have their own Nx targets:
// `unit` (*.spec.ts, pure logic) and `integration` (*.int-spec.ts, real Postgres and NATS).
const preset = require('./jest.preset.js');

module.exports = function jestProject(rootDir, name) {
  return {
    rootDir,
    projects: [
      { ...preset, rootDir, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
      {
        ...preset,
        rootDir,
        displayName: 'integration',
        testMatch: ['<rootDir>/src/**/*.int-spec.ts'],
        setupFilesAfterEnv: [require.resolve('./jest.integration-setup.js')],
      },
    ],
    displayName: name,
  };
};
