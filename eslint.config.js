import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

// Each folder may import only the folders below it (see STYLE.md "imports go downward only").
const LAYER_RULES = {
  'src/errors/**': [
    '../config/*',
    '../policy/*',
    '../sandbox/*',
    '../audit/*',
    '../servers/*',
    '../transport/*',
    '../cli/*',
  ],
  'src/config/**': [
    '../policy/*',
    '../sandbox/*',
    '../audit/*',
    '../servers/*',
    '../transport/*',
    '../cli/*',
  ],
  'src/policy/**': ['../sandbox/*', '../audit/*', '../servers/*', '../transport/*', '../cli/*'],
  'src/sandbox/**': ['../audit/*', '../servers/*', '../transport/*', '../cli/*'],
  'src/audit/**': ['../servers/*', '../transport/*', '../cli/*', '../policy/*', '../sandbox/*'],
  'src/auth/**': [
    '../servers/*',
    '../transport/*',
    '../hub/*',
    '../cli/*',
    '../policy/*',
    '../sandbox/*',
  ],
  'src/history/**': [
    '../sandbox/*',
    '../audit/*',
    '../auth/*',
    '../servers/*',
    '../transport/*',
    '../hub/*',
    '../cli/*',
  ],
  'src/servers/**': ['../../transport/*', '../../hub/*', '../../cli/*'],
  'src/transport/**': ['../servers/*', '../hub/*', '../cli/*'],
  'src/dashboard/**': ['../hub/*', '../servers/*', '../cli/*'],
  'src/hub/**': ['../cli/*'],
};

// child_process.exec runs a shell on a string; every spawn must be an argv array.
const BANNED_IMPORTS = ['node:child_process', 'child_process'].map((name) => ({
  name,
  importNames: ['exec', 'execSync'],
  message: 'Use execFile/spawn with an argv array.',
}));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'bench/.data/**',
      'bench/results/**',
      'coverage/**',
      'workspace/**',
      '.puppeteerrc.cjs',
    ],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    plugins: { 'import-x': importX },
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      'no-restricted-imports': ['error', { paths: BANNED_IMPORTS }],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression[callee.object.name=/^(child_process|cp|childProcess)$/][callee.property.name=/^exec(Sync)?$/]',
          message: 'Use execFile/spawn with an argv array.',
        },
        {
          selector: "Property[key.name='shell'][value.value=true]",
          message: 'shell: true is banned outside the sandbox.',
        },
        { selector: "CallExpression[callee.name='eval']", message: 'eval is banned.' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: { 'no-console': 'error' },
  },
  ...Object.entries(LAYER_RULES).map(([files, patterns]) => ({
    files: [files],
    rules: { 'no-restricted-imports': ['error', { paths: BANNED_IMPORTS, patterns }] },
  })),
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-syntax': 'off',
    },
  },
  {
    // The dashboard page's own script runs in the browser, not in node.
    files: ['src/dashboard/assets/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'fetch',
          'EventSource',
          'URLSearchParams',
          'Element',
          'getComputedStyle',
          'setTimeout',
          'setInterval',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ignores: ['src/dashboard/assets/**'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        performance: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        AbortController: 'readonly',
        Response: 'readonly',
      },
    },
  },
);
