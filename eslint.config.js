import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * The dependency rule (docs/architecture.md, DESIGN §14): what deploys never imports what only runs locally.
 * `functions/` imports only `shared/`; `shared/` imports none of the other top folders, and inside it `events/` is the
 * ground floor; `local/` imports no `cli/` or `bench/`, and reaches `functions/` only through the registry; only tests
 * import `test/`; `bin/` imports `scripts/` only to rebuild before it runs. Type-only and dynamic imports count. Imports
 * are relative, so the patterns are written per folder depth: `(../){depth}<top>/` is exactly a path that climbs to the
 * root and enters another top folder.
 */
const TOPS = ['functions', 'shared', 'local', 'cli', 'bench', 'scripts', 'test', 'bin'];
const FORBIDDEN = {
  functions: ['local', 'cli', 'bench', 'scripts', 'test', 'bin'],
  shared: ['functions', 'local', 'cli', 'bench', 'scripts', 'test', 'bin'],
  local: ['cli', 'bench', 'scripts', 'test', 'bin'],
  cli: ['bench', 'scripts', 'test'],
  bench: ['cli', 'scripts', 'test'],
  scripts: ['local', 'cli', 'bench', 'test'],
  bin: ['local', 'bench', 'test']
};
const MAX_DEPTH = 6;
const up = (n) => '(?:\\./)?' + '\\.\\./'.repeat(n);
const FILES = '{ts,js,mjs}';

/** Files of a folder at exactly `depth` below the repository root (`depth` 1 = directly in it). */
const filesAt = (folder, depth) => [`${folder}/${'*/'.repeat(depth - 1)}*.${FILES}`];

/** What one folder's files at one depth may not import, for `no-restricted-imports` and dynamic `import()`. */
function restrictions(top, depth, extra = []) {
  const regexes = [
    ...FORBIDDEN[top].map((t) => ({
      regex: `^${up(depth)}${t}(?:/|$)`,
      message: `${top}/ may not import ${t}/: dependencies point one way (docs/architecture.md, "Dependency rule").`
    })),
    ...(top === 'local'
      ? [
          {
            regex: `^${up(depth)}functions/(?!index\\.js$)`,
            message:
              'local/ reaches functions only through the registry (functions/index.ts); shared helpers belong in shared/.'
          }
        ]
      : []),
    ...extra
  ];
  return regexes;
}

function configFor(files, regexes, functionRules) {
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: functionRules
            ? [{ name: '@kubernetes/client-node', message: 'Functions reach Kubernetes through ctx.kube.' }]
            : [],
          patterns: regexes.map(({ regex, message }) => ({ regex, message }))
        }
      ],
      'no-restricted-syntax': [
        'error',
        ...regexes.map(({ regex, message }) => ({
          selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\/')}/]`,
          message
        })),
        {
          selector:
            "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z'][importKind!='type']",
          message: "Write `import * as z from 'zod'`: the bundle then drops what is never used (README, cold start)."
        },
        ...(functionRules
          ? [
              {
                selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
                message: 'Use ctx.clock.'
              },
              { selector: "CallExpression[callee.property.name='randomUUID']", message: 'Use ctx.ids.' }
            ]
          : [])
      ]
    }
  };
}

/** One config object per top folder and depth; `shared/events/` (the ground floor) imports nothing outside itself. */
function dependencyRule() {
  const out = [];
  for (const top of TOPS.filter((t) => FORBIDDEN[t])) {
    for (let depth = 1; depth <= MAX_DEPTH; depth++)
      out.push(configFor(filesAt(top, depth), restrictions(top, depth), top === 'functions'));
  }
  for (let depth = 1; depth <= MAX_DEPTH - 2; depth++) {
    const groundFloor = {
      regex: `^${up(depth)}`,
      message: 'shared/events/ is the ground floor: it imports nothing else of shared/ (docs/architecture.md).'
    };
    out.push(configFor(filesAt('shared/events', depth), [...restrictions('shared', depth + 1), groundFloor], false));
  }
  return [
    ...out,
    {
      files: ['functions/**/*.ts'],
      rules: {
        'no-restricted-globals': ['error', { name: 'fetch', message: 'Functions publish intents; the runtime does I/O.' }]
      }
    }
  ];
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'dist.*/',
      '.cortex/',
      '.cache/',
      'bench/results/',
      'test-results/',
      'local/web/vendor/'
    ]
  },
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
  ...dependencyRule(),
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
    files: ['shared/runtime/config.ts', 'scripts/**', 'test/**', 'bench/**'],
    rules: { 'no-restricted-properties': 'off' }
  },
  {
    files: ['scripts/**', 'bin/**', 'bench/**'],
    rules: { 'no-console': 'off' }
  }
);
