// ESLint (typescript-eslint, type-checked) for src/ and test/. Kept in .ci/ because the project's top level
// holds only package.json, tsconfig.json and the documented folders; `npm run lint` passes it with -c.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

export default tseslint.config(
  { basePath: ROOT, ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/fixtures/**', 'docs/**', 'bench/**', 'test/fuzz/**'] },
  {
    basePath: ROOT,
    files: ['src/**/*.ts', 'test/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: new URL('..', import.meta.url).pathname },
    },
    rules: {
      // Readers walk untyped parsed YAML/XML/JSON: unknown values are narrowed by hand, and `any` never appears in src.
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Escaping and hostile-input checks match control characters on purpose (src/escape.ts, the readers).
      'no-control-regex': 'off',
    },
  },
  {
    basePath: ROOT,
    files: ['test/**/*.ts'],
    rules: {
      // Tests read the CLI's JSON reports through JSON.parse (any) and assert on them: typing every report
      // shape in tests adds nothing the assertions do not already check. The rest stays type-checked.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
);
