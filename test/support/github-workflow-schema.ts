/**
 * The part of the GitHub Actions workflow syntax our workflows use, as a JSON schema for ajv.
 * SchemaStore's github-workflow.json is not on this machine and no npm package we have ships it
 * (`@schemastore/github-workflow` ships TypeScript types only), so this is our own subset, written
 * from GitHub's "Workflow syntax" reference: strict (no unknown keys) where we write, so a typo
 * such as `need:` or `run-on:` fails.
 */
const stringMap = {
  type: 'object',
  additionalProperties: { type: ['string', 'number', 'boolean'] },
};
const expression = { type: 'string', pattern: '^\\$\\{\\{.*\\}\\}$' };
const permissions = {
  oneOf: [
    { enum: ['read-all', 'write-all'] },
    {
      type: 'object',
      propertyNames: {
        enum: [
          'actions',
          'attestations',
          'checks',
          'contents',
          'deployments',
          'id-token',
          'issues',
          'packages',
          'pages',
          'pull-requests',
          'security-events',
          'statuses',
        ],
      },
      additionalProperties: { enum: ['read', 'write', 'none'] },
    },
  ],
};
const concurrency = {
  oneOf: [
    { type: 'string' },
    {
      type: 'object',
      required: ['group'],
      additionalProperties: false,
      properties: {
        group: { type: 'string' },
        'cancel-in-progress': { oneOf: [{ type: 'boolean' }, expression] },
      },
    },
  ],
};
const step = {
  type: 'object',
  additionalProperties: false,
  // A step either runs an action or a command, never both.
  oneOf: [{ required: ['uses'] }, { required: ['run'] }],
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]*$' },
    name: { type: 'string' },
    if: { type: ['string', 'boolean'] },
    uses: { type: 'string', pattern: '^(\\./.+|docker://.+|[^/@\\s]+/[^@\\s]+@[^@\\s]+)$' },
    run: { type: 'string', minLength: 1 },
    shell: { type: 'string' },
    with: stringMap,
    env: stringMap,
    'working-directory': { type: 'string' },
    'continue-on-error': { type: ['boolean', 'string'] },
    'timeout-minutes': { type: 'number', exclusiveMinimum: 0 },
  },
};
const service = {
  type: 'object',
  required: ['image'],
  additionalProperties: false,
  properties: {
    image: { type: 'string' },
    env: stringMap,
    ports: { type: 'array', items: { type: ['string', 'number'] } },
    options: { type: 'string' },
    volumes: { type: 'array', items: { type: 'string' } },
    credentials: { type: 'object' },
  },
};
const job = {
  type: 'object',
  additionalProperties: false,
  required: ['runs-on', 'steps'],
  properties: {
    name: { type: 'string' },
    needs: {
      oneOf: [
        { type: 'string' },
        { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
      ],
    },
    if: { type: ['string', 'boolean'] },
    'runs-on': { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    'timeout-minutes': { type: 'number', exclusiveMinimum: 0 },
    permissions,
    concurrency,
    environment: {
      oneOf: [
        { type: 'string' },
        { type: 'object', required: ['name'], properties: { name: {}, url: {} } },
      ],
    },
    outputs: { type: 'object', additionalProperties: { type: 'string' } },
    env: stringMap,
    services: { type: 'object', additionalProperties: service },
    steps: { type: 'array', minItems: 1, items: step },
  },
};
const branchFilter = {
  type: 'object',
  additionalProperties: false,
  properties: {
    branches: { type: 'array', items: { type: 'string' } },
    'branches-ignore': { type: 'array', items: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string' } },
    paths: { type: 'array', items: { type: 'string' } },
    'paths-ignore': { type: 'array', items: { type: 'string' } },
    types: { type: 'array', items: { type: 'string' } },
  },
};

export const GITHUB_WORKFLOW_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['on', 'jobs'],
  properties: {
    name: { type: 'string' },
    'run-name': { type: 'string' },
    on: {
      type: 'object',
      minProperties: 1,
      additionalProperties: false,
      properties: {
        push: { oneOf: [{ type: 'null' }, branchFilter] },
        pull_request: { oneOf: [{ type: 'null' }, branchFilter] },
        workflow_dispatch: { oneOf: [{ type: 'null' }, { type: 'object' }] },
        schedule: { type: 'array', items: { type: 'object', required: ['cron'] } },
      },
    },
    permissions,
    concurrency,
    env: stringMap,
    jobs: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_-]*$' },
      additionalProperties: job,
    },
  },
} as const;
