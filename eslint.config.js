// ESLint for the TypeScript and JavaScript sources: ESLint's and typescript-eslint's recommended rules (npm test runs
// it through scripts/test.mjs). The type-checked set is not enabled: see the issue 14 notes in the commit history.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', '.dist-*/', 'cdk.out/', 'scratch/', '.ork/', '**/*.d.ts'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Not a rule turned off: the house names what it drops with a leading underscore (`const { batch: _batch, ...rest }`,
      // `for await (const _ of events)`), so those names are unused on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // The compiler's public API is compiler/index.ts (as aws-cdk-lib keeps lib/private): what lives behind it
    // may change with no caller outside compiler/ to update. Tests of a stage's internals import it by path.
    files: ['lib/**/*.ts', 'bin/**/*.{js,ts}', 'bench/**/*.ts', 'scripts/**/*.{mjs,ts}', 'lambdas/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)compiler/(?!index\\.js$).+', message: "Import the compiler's public API, compiler/index.js." }] },
      ],
    },
  },
);
