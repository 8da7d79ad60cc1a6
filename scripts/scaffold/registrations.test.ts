import { readFileSync } from 'node:fs';
import { subgraphNames } from './names.js';
import { registrations } from './registrations.js';

const names = subgraphNames('feature-flags', 4006);
const edits = registrations(names);
const edit = (path: string, text = readFileSync(path, 'utf8')) => edits[path]!(text);

describe('registering a new subgraph', () => {
  it('adds it to the lists the gateway and the standalone subgraphs read', () => {
    expect(edit('gateway/config.ts')).toMatch(
      /export const SUBGRAPH_NAMES = \[[^\]]*'billing', 'feature-flags'\];/,
    );
    const registry = edit('subgraphs/standalone-subgraphs.ts');
    expect(registry).toContain(
      "import { featureFlagsSubgraph } from './feature-flags/server.js';\n// `npm run subgraph:new`",
    );
    expect(registry).toContain('StandaloneSubgraph[] = [featureFlagsSubgraph];');
    // A second one goes after the first.
    const second = registrations(subgraphNames('audit-trail', 4007))[
      'subgraphs/standalone-subgraphs.ts'
    ]!(registry);
    expect(second).toContain('[featureFlagsSubgraph, auditTrailSubgraph];');
  });

  it("adds its service, the gateway's URL and dependency to docker compose", () => {
    const compose = edit('deploy/docker-compose.yml');
    expect(compose).toContain(
      "  feature-flags:\n    <<: *subgraph\n    command: ['node', 'dist/subgraphs/feature-flags/main.js']\n    environment: { <<: *subgraph-env, PORT: '4006' }\n  gateway:\n",
    );
    expect(compose).toContain(
      '      BILLING_URL: http://billing:4005/graphql\n      FEATURE_FLAGS_URL: http://feature-flags:4006/graphql\n',
    );
    expect(compose).toContain(
      '      billing: { condition: service_healthy }\n      feature-flags: { condition: service_healthy }\n',
    );
  });

  it('opens the gateway egress to its port and adds its own policy and manifest', () => {
    const policies = edit('deploy/k8s/base/network-policies.yaml');
    expect(policies).toContain('port: 4001, endPort: 4006 }');
    expect(policies).toMatch(/metadata: \{ name: feature-flags \}[\s\S]*port: 4006/);
    expect(edit('deploy/k8s/base/kustomization.yaml')).toContain(
      '  - feature-flags.yaml\n  - ingress.yaml\n',
    );
    expect(edit('.github/workflows/deliver.yml')).toContain(
      'DEPLOYMENTS: model-catalog wallet policy inference billing feature-flags gateway\n',
    );
    expect(edit('schema/supergraph.yaml')).toMatch(
      /\n {2}feature-flags:\n {4}routing_url: http:\/\/127\.0\.0\.1:4006\/graphql\n {4}schema:\n {6}file: \.\.\/subgraphs\/feature-flags\/schema\.graphql\n$/,
    );
  });

  it('fails, naming the file, when an anchor is gone', () => {
    expect(() => edit('gateway/config.ts', 'export const OTHER = [];')).toThrow(
      /gateway\/config\.ts: expected exactly one .*SUBGRAPH_NAMES/,
    );
    expect(() => edit('deploy/k8s/base/kustomization.yaml', 'resources: []\n')).toThrow(
      /kustomization\.yaml: expected exactly one/,
    );
    expect(() => edit('deploy/docker-compose.yml', 'services: {}\n')).toThrow(
      /docker-compose\.yml: no gateway service/,
    );
  });
});
