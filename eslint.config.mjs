// Flat config with type-aware rules: unawaited promises are the classic bug in servers and controllers.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.nimbus/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unbound-method': 'off',
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the injected Clock.' },
      ],
    },
  },
  {
    // Only libs/config reads the environment.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/config/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through @app/config.',
        },
      ],
    },
  },
  {
    // Only libs/kube-client talks to @kubernetes/client-node.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/kube-client/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@kubernetes/client-node', message: 'Use @app/kube-client.' }],
          patterns: [{ group: ['apps/*', '../../apps/*'], message: 'Libs never import apps.' }],
        },
      ],
    },
  },
  {
    // The api-server's layers point one way (docs/kube-apiserver.md "Code layout"): object basics,
    // then kinds as data, then generic REST semantics (api/), then HTTP (server/, watch/). The
    // lower folders never reach up. (Repeats the rule above: a later config replaces its options.)
    files: [
      'apps/kube-apiserver/src/{object,errors,time,schema,protobuf,database}/**/*.ts',
      'apps/kube-apiserver/src/{registry,selectors,patch,storage,tables}/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@kubernetes/client-node', message: 'Use @app/kube-client.' }],
          patterns: [
            { group: ['apps/*', '../../apps/*'], message: 'Libs never import apps.' },
            {
              regex:
                '^(\\.\\./)+(api|server|watch|admission|auth|authz|controllers|discovery|overload)/',
              message:
                'Lower api-server layers (objects, kinds, storage) must not import the REST or HTTP layers.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests and scripts may print, time things and use loose typing at the edges.
    files: [
      '**/*.spec.ts',
      '**/*.e2e-spec.ts',
      'bench/**/*.ts',
      'scripts/**/*.ts',
      'libs/testing/**/*.ts',
    ],
    rules: {
      'no-console': 'off',
      'no-restricted-properties': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
