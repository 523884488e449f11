import tseslint from 'typescript-eslint';

/**
 * Not a style checker: the store is asynchronous, and a promise nobody awaits is a write that
 * may land after its transaction committed, or an error nobody sees. These two rules find them,
 * in the tests too (a test comparing two unawaited promises passes whatever they hold).
 * test/unit/lint.test.ts runs this config, so `npm test` fails on a violation.
 */
export default tseslint.config({
  files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
  languageOptions: {
    parser: tseslint.parser,
    parserOptions: { project: ['./tsconfig.test.json', './bench/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
  },
  plugins: { '@typescript-eslint': tseslint.plugin },
  rules: {
    '@typescript-eslint/no-floating-promises': 'error',
    '@typescript-eslint/no-misused-promises': 'error',
  },
});
