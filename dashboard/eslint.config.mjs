// ESLint for the dashboard's browser modules (no build step: what is linted is what is served) and
// their Node unit tests. Run by scripts/test.sh through scripts/dashboard-check.sh.
import js from '@eslint/js';
import globals from 'globals';

export default [
  js.configs.recommended,
  {
    files: ['src/main/resources/META-INF/fluxer-dashboard/js/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.browser },
  },
  {
    files: ['src/test/js/**/*.mjs'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node },
  },
  {
    rules: {
      'no-var': 'error',
      'prefer-const': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-implicit-globals': 'error',
      'no-shadow': 'off',
      'no-console': 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-restricted-properties': ['error',
        { property: 'innerHTML', message: 'user data reaches the DOM as text only (el, textContent)' },
        { property: 'outerHTML', message: 'user data reaches the DOM as text only' },
        { property: 'insertAdjacentHTML', message: 'user data reaches the DOM as text only' }],
    },
  },
];
