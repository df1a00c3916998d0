import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/**
 * The layers of src/, lowest first; a folder may import only from the layers below it (and the
 * root files: states, errors, clock, ids, paging, time, hash, telemetry). `npm run lint` fails on a wrong import
 * (rule `@typescript-eslint/no-restricted-imports`) and on any file-level import cycle
 * (scripts/check-cycles.mjs). See src/ARCHITECTURE.md.
 */
const LAYERS = {
  definition: { may: [], types: ['actions'] },
  config: { may: ['definition'] },
  store: { may: ['definition'] },
  actions: { may: ['definition', 'config'] },
  engine: { may: ['definition', 'config', 'store', 'actions'] },
  scheduler: { may: ['definition', 'config', 'store', 'actions', 'engine'] },
  agent: { may: ['definition', 'config', 'store', 'actions', 'engine'] },
  // the triggers service reads schedule cursors and slots (pure scheduler helpers)
  triggers: { may: ['definition', 'config', 'store', 'actions', 'engine', 'scheduler'] },
  // metrics and operator log lines behind the root file telemetry.ts; bound by node/rota.ts
  observe: { may: ['definition', 'config', 'store', 'engine'] },
  node: { may: ['definition', 'config', 'store', 'actions', 'engine', 'scheduler', 'agent', 'triggers', 'observe'] },
  // the API never touches the store or the run core: it asks the node (api/ARCHITECTURE.md)
  api: { may: ['definition', 'config', 'actions', 'node', 'triggers', 'agent', 'mcp'] },
  // the published client carries the node's view types, never its code
  client: { may: [], types: ['definition', 'actions', 'node', 'triggers', 'agent', 'engine'] },
  // the MCP server: talks to Rota only through the client, so stdio and /mcp run the same tools
  mcp: { may: ['definition', 'client'] },
  cli: { may: ['mcp', 'definition', 'config', 'store', 'actions', 'engine', 'scheduler', 'agent', 'triggers', 'observe', 'node', 'api', 'client'] },
  testing: { may: ['definition', 'config', 'store', 'actions', 'engine', 'scheduler', 'agent', 'triggers', 'observe', 'node'] },
};
const FOLDERS = [...Object.keys(LAYERS), 'web'];

function layerRule(folder, { may, types = [] }) {
  const forbidden = FOLDERS.filter((f) => f !== folder && !may.includes(f));
  const allowed = [...may, ...types.map((t) => `${t} (types only)`), 'the root files'].join(', ');
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        // relative specifiers only (src/ is at most two folders deep), so packages named like a folder pass
        patterns: forbidden.map((f) => ({
          group: [`../${f}/**`, `../../${f}/**`],
          message: `src/${folder}/ may not import src/${f}/; it may import ${allowed} (see src/ARCHITECTURE.md).`,
          allowTypeImports: types.includes(f),
        })),
      }],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/web/dist/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...Object.entries(LAYERS).map(([folder, layer]) => layerRule(folder, layer)),
  {
    // the root files sit below every folder
    files: ['src/*.ts'],
    ignores: ['src/index.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: FOLDERS.map((f) => `./${f}/**`), message: 'the root files (states, errors, clock, ids, paging, time, hash, telemetry) import no folder of src/.' }] }],
    },
  },
  {
    // the web UI (web/): React's rules of hooks; it talks to the server only through src/client
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ group: ['../../../src/*', '!../../../src/client', '../../src/*', '!../../src/client'], message: 'the web UI may import only src/client (the typed API client) from src/.' }],
      }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
