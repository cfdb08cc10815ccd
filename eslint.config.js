// Lint: typescript-eslint, Lit and web-component rules, and the layer boundaries of
// DESIGN.md §2 (core/transport/markdown never import Lit or the element; browser code never
// imports node:*; the gateway never imports browser layers).
import js from '@eslint/js';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import tseslint from 'typescript-eslint';

const browserLayers = ['src/core/**', 'src/transport/**', 'src/markdown/**', 'src/element/**', 'src/*.ts'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.bench/**',
      'custom-elements.json',
      'examples/*/dist/**',
      'examples/*/.angular/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        requestAnimationFrame: 'readonly',
        cancelAnimationFrame: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
        Response: 'readonly',
        Request: 'readonly',
        Headers: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        ReadableStream: 'readonly',
        crypto: 'readonly',
        structuredClone: 'readonly',
        customElements: 'readonly',
        HTMLElement: 'readonly',
        Buffer: 'readonly',
        location: 'readonly',
        localStorage: 'readonly',
        sessionStorage: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use a string-literal union, not an enum.' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ...lit.configs['flat/recommended'],
  },
  {
    files: ['src/**/*.ts'],
    ...wc.configs['flat/recommended'],
  },
  {
    files: ['src/core/**', 'src/transport/**', 'src/markdown/**'],
    ignores: ['src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['lit', 'lit/*', '@lit/*'], message: 'core, transport and markdown are framework-free (DESIGN.md §2).' },
            { group: ['**/element/**', '**/gateway/**'], message: 'Lower layers never import the element or the gateway.' },
            { group: ['node:*'], message: 'Browser code never imports node:*.' },
          ],
        },
      ],
    },
  },
  {
    // Core declares the transport it needs; transport implements it (DESIGN.md §2, turn 2).
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['lit', 'lit/*', '@lit/*'], message: 'core is framework-free (DESIGN.md §2).' },
            {
              group: ['**/element/**', '**/gateway/**', '**/markdown/**'],
              message: 'core never imports the element, the renderer or the gateway.',
            },
            { group: ['**/transport/**'], message: 'core declares ChatTransport; transport implements it. core never imports transport.' },
            { group: ['node:*'], message: 'Browser code never imports node:*.' },
          ],
        },
      ],
    },
  },
  {
    files: browserLayers,
    ignores: ['src/core/**', 'src/transport/**', 'src/markdown/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Browser code never imports node:*.' },
            { group: ['**/gateway/**'], message: 'The element never imports the gateway.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/wire/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['lit', 'lit/*', '**/core/**', '**/transport/**', '**/markdown/**', '**/element/**', '**/gateway/**', 'node:*'],
              message:
                'src/wire is neutral ground: it imports nothing, so the browser layers and the gateway can both use it (DESIGN.md §2).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/gateway/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/element/**', '**/markdown/**', '**/transport/**', 'lit', 'lit/*'],
              message: 'The gateway never imports browser layers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
);
