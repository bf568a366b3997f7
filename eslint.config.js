// ESLint for the TypeScript and JavaScript sources: ESLint's and typescript-eslint's recommended rules (npm test runs
// it through scripts/test.mjs). The type-checked set is not enabled: see the issue 14 notes in the commit history.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'cdk.out/', 'scratch/', '.ork/', '**/*.d.ts'] },
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
);
