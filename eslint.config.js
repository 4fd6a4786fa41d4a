// Flat config: typescript-eslint's recommended rules, without type-aware linting so `npm test` stays quick.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { BOUNDARY_EXEMPT, BOUNDARY_ZONES, WORKSPACE_PACKAGES } from './boundaries.config.js';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'clusters/',
      'cdk8s/imports/',
      '.pmp/',
      'coverage/',
      '**/dist/',
      '.ci/*.json',
      'test-artifacts/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // A function that does not fit on a screen is several steps: name them. A test file's describe
    // callback is a list of cases, not a function to follow, so tests are left out.
    files: ['**/*.ts', '**/*.js'],
    ignores: ['**/*.test.ts'],
    rules: {
      'max-lines-per-function': [
        'error',
        { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true },
      ],
    },
  },
  {
    // Each folder README's "may import", held: `npm test` fails on a breach (boundaries.test.ts).
    files: ['**/*.ts'],
    ignores: BOUNDARY_EXEMPT,
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: BOUNDARY_ZONES }] },
  },
  ...WORKSPACE_PACKAGES.map(({ files, packageDir }) => ({
    // A workspace's code imports only what its own package.json lists (boundaries.config.js).
    files,
    ignores: BOUNDARY_EXEMPT,
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      'import-x/no-extraneous-dependencies': [
        'error',
        {
          packageDir,
          devDependencies: false,
          optionalDependencies: false,
          peerDependencies: false,
        },
      ],
    },
  })),
);
