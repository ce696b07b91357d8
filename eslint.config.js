// Lint with process-boundary rules: each folder may only reach what its process can run
// (style.md guideline 1; VS Code's code-layering and Signal's file-suffix rules are the models).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'stream', 'url', 'worker_threads', 'util', 'events', 'buffer', 'zlib'];
const nativeModules = ['better-sqlite3', 'onnxruntime-node', 'sharp', 'ssh2', 'ws'];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'native-models/**', 'test-results/**', 'playwright-report/**', 'bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      curly: ['error', 'all'],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer is sandboxed: reach main through the contract.' }],
          patterns: [
            { group: nodeBuiltins, message: 'The renderer runs in a browser sandbox: no Node built-ins.' },
            { group: nativeModules, message: 'Native modules live in main; call them through the contract.' },
            { group: ['**/main/**', '../main', '../../main'], message: 'The renderer reaches main only through preload/contract.ts.' },
            { group: ['**/preload/index', '**/preload/index.ts'], message: 'Import the contract, not the preload bridge.' },
          ],
        },
      ],
    },
  },
  {
    files: ['preload/contract.ts'],
    rules: {
      // The contract is environment-free: main, preload and renderer all import it.
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!zod$).*', message: 'preload/contract.ts imports only zod.' }] }],
    },
  },
  {
    files: ['preload/**/*.ts'],
    ignores: ['preload/contract.ts', 'preload/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'The preload runs sandboxed: only electron (contextBridge, ipcRenderer) and the contract.' },
            { group: nativeModules, message: 'Native modules live in main.' },
            { group: ['**/main/**', '../main'], message: 'The preload depends only on the contract.' },
          ],
        },
      ],
    },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/electron/**'],
    rules: {
      // Only main/electron/ may load Electron at run time: everything else also runs under `serve`.
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only main/electron/ may import electron (the rest runs under plain Node too).', allowTypeImports: true }] }],
    },
  },
);
