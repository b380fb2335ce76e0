import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.cortex/', '.cache/', 'bench/results/', 'test-results/', 'local/web/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through shared/runtime/config.ts only.' }
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }]
    }
  },
  {
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@kubernetes/client-node', message: 'Functions reach Kubernetes through ctx.kube.' }] }
      ],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Functions publish intents; the runtime does I/O.' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Use ctx.clock.' },
        { selector: "CallExpression[callee.property.name='randomUUID']", message: 'Use ctx.ids.' }
      ]
    }
  },
  {
    // The web pages functions serve: plain ES modules that run in the browser, with no build step.
    files: ['functions/*/web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'Node',
          'fetch',
          'EventSource',
          'AbortController',
          'TextDecoderStream',
          'sessionStorage',
          'addEventListener',
          'setTimeout',
          'clearTimeout'
        ].map((g) => [g, 'readonly'])
      )
    }
  },
  {
    files: ['shared/runtime/config.ts', 'scripts/**', 'test/**', 'bench/**', 'local/**/config.ts'],
    rules: { 'no-restricted-properties': 'off' }
  },
  {
    files: ['scripts/**', 'bin/**', 'bench/**'],
    rules: { 'no-console': 'off' }
  }
);
