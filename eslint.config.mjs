// ESLint flat config (ESLint 9, typescript-eslint 8, @nx/eslint-plugin 22).
// Syntax-only linting (no type information), so it stays fast.
import nx from '@nx/eslint-plugin';

export default [
  {
    // Global ignores: build output, caches, bench artefacts and plain JS config files.
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.nx/**',
      '**/coverage/**',
      '**/tmp/**',
      'bench/results/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },

  // Registers the `@nx` plugin (and ignores .nx).
  ...nx.configs['flat/base'],
  // @eslint/js recommended + typescript-eslint recommended (non type-aware) for *.ts/*.tsx/*.cts/*.mts.
  ...nx.configs['flat/typescript'],

  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          // None of our libs has a build target: they are compiled together by tsconfig.build.json.
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Layering by type.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:data-access', 'type:util'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            // Scopes: shared code only uses shared code; each app uses shared code only (no app -> app).
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:api-gateway', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:scheduler', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:webhook-dispatcher', onlyDependOnLibsWithTags: ['scope:shared'] },
            // End-to-end specs drive the built services from outside: shared libraries only.
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:util', 'type:data-access'] },
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],

      // Migrations use Kysely<any>.
      '@typescript-eslint/no-explicit-any': 'warn',

      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
];
