// ESLint flat config: TypeScript (type-aware: promises nobody awaits), Lit templates,
// web-component and accessibility rules, the architecture's layers (imports that point the
// wrong way), and guards against tests that cannot fail (.only left behind, bare expect()).
// Every .mjs file (cluster, bench, scripts, the Node and end-to-end tests, the tool configs) is
// linted type-aware too, through tsconfig.scripts.json, which type-checks them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import litA11y from 'eslint-plugin-lit-a11y';

const root = import.meta.dirname;

/** A promise nobody awaits loses its rejection: in a gadget that is an error nobody sees. */
const promiseRules = {
  '@typescript-eslint/no-floating-promises': [
    'error',
    {
      // @open-wc's dom-diff plugin types every chai `equal` as async (only `.dom.equal` is
      // really): a plain `expect(x).to.equal(y)` is synchronous. (So a floating
      // `expect(el).dom.to.equal(…)` is not caught; the tests await those.)
      allowForKnownSafeCalls: [
        { from: 'package', package: '@open-wc/semantic-dom-diff', name: 'Equal' },
        // node:test runs a test() / describe() it is given; the runner awaits them itself.
        { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
      ],
    },
  ],
  '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
  '@typescript-eslint/await-thenable': 'error',
};

/**
 * Dependencies point one way (shared/DESIGN.md): elements -> session clients -> core ->
 * protocol; chat and survey do not know each other; nothing in src/ but the mock imports the
 * mock or the back-end rules (the demo and the tests may).
 */
const layer = (message, ...dirs) => ({
  regex: `(^|/)(${dirs.join('|')})(/|$)`,
  message,
});
const noMocks = layer(
  'Production code never imports the mocked back end (only the demo and tests do).',
  'mocks',
  'backend',
);
const layers = [
  {
    files: ['src/protocol/**/*.ts'],
    patterns: [
      noMocks,
      layer(
        'src/protocol is the bottom layer: it imports nothing else of src/.',
        'core',
        'chat',
        'survey',
        'hosts',
        'define',
        'styles',
      ),
    ],
  },
  {
    files: ['src/core/**/*.ts'],
    patterns: [
      noMocks,
      layer(
        'src/core must not depend on the gadgets or hosts above it.',
        'chat',
        'survey',
        'hosts',
        'define',
        'styles',
      ),
    ],
  },
  {
    files: ['src/hosts/**/*.ts'],
    patterns: [noMocks, layer('Hosts do not know the gadgets.', 'chat', 'survey', 'define')],
  },
  {
    files: ['src/chat/**/*.ts'],
    patterns: [noMocks, layer('chat and survey are independent gadgets.', 'survey', 'define')],
  },
  {
    files: ['src/survey/**/*.ts'],
    patterns: [noMocks, layer('chat and survey are independent gadgets.', 'chat', 'define')],
  },
  {
    files: ['src/*.ts', 'src/define/**/*.ts', 'src/styles/**/*.ts'],
    patterns: [noMocks],
  },
  {
    files: ['src/backend/**/*.ts'],
    patterns: [
      layer(
        'The back-end rules are pure: protocol only.',
        'core',
        'chat',
        'survey',
        'hosts',
        'define',
        'styles',
        'mocks',
      ),
    ],
  },
].map(({ files, patterns }) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
}));

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'bench/results/',
      'cluster/.data/',
      'demo/public/',
      'custom-elements.json',
      '**/*.min.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: promiseRules,
  },
  {
    files: ['**/*.mjs'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        project: ['./tsconfig.scripts.json'],
        tsconfigRootDir: root,
      },
      globals: { Buffer: 'readonly', performance: 'readonly', AbortController: 'readonly' },
    },
    rules: promiseRules,
  },
  ...layers,
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'demo/**/*.ts'],
    plugins: { lit, wc, 'lit-a11y': litA11y },
    rules: {
      ...lit.configs.recommended.rules,
      ...wc.configs.recommended.rules,
      ...litA11y.configs.recommended.rules,
    },
  },
  {
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        globalThis: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-unused-expressions': [
        'error',
        { allowShortCircuit: true, allowTernary: true },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'describe', property: 'only', message: 'Remove .only before committing.' },
        { object: 'it', property: 'only', message: 'Remove .only before committing.' },
        {
          object: 'it',
          property: 'skip',
          message: 'A skipped test is a defect: fix it or delete it.',
        },
        {
          object: 'describe',
          property: 'skip',
          message: 'A skipped test is a defect: fix it or delete it.',
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // chai's `expect(x).to.be.true` is an expression statement; a bare `expect(x);` is not allowed.
      '@typescript-eslint/no-unused-expressions': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "ExpressionStatement > CallExpression[callee.name='expect']",
          message: 'expect(x) with no matcher asserts nothing.',
        },
        {
          selector:
            "CallExpression[callee.name='it'] > ArrowFunctionExpression > ArrowFunctionExpression",
          message: "it('…', () => async () => …) never runs the inner function.",
        },
      ],
    },
  },
);
