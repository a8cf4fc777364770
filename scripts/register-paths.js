// Resolves the `@minoots/*` aliases of tsconfig.base.json to the compiled libraries in dist/,
// so the services run from plain `node` without a bundler.
const path = require('node:path');
const tsConfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../tsconfig.base.json');

const paths = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, [target.replace(/\.ts$/, '.js')]]),
);
tsConfigPaths.register({ baseUrl: path.join(__dirname, '..', 'dist'), paths });
