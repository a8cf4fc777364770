// End-to-end: the three built services as separate processes, real Postgres, NATS and HTTP.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'],
  setupFilesAfterEnv: [require.resolve('./jest.e2e-setup.js')],
};
