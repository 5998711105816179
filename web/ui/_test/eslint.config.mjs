// ESLint's checks of the consoles' JavaScript (web/ui/js) and of its tests:
// the recommended rules, which find undefined names, and no-shadow, which
// finds a local name hiding an imported one (a local `t` once hid the
// i18n function and broke the notes form). The consoles have no build
// step, so this is their only static check. scripts/test.sh runs it from
// web/ui (the base path the file patterns below are relative to):
//   _test/node_modules/.bin/eslint --config _test/eslint.config.mjs js _test
import js from '@eslint/js';
import globals from 'globals';

export default [
  js.configs.recommended,
  {
    files: ['js/**/*.js', '_test/**/*.mjs'],
    ignores: ['_test/node_modules/**'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.browser },
    },
    rules: {
      'no-shadow': 'error',
      // A handler's unused arguments document its signature.
      'no-unused-vars': ['error', { args: 'none' }],
    },
  },
  {
    files: ['_test/**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
];
