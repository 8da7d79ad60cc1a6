import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { subgraphNames } from './names.js';
import { registrations } from './registrations.js';

/**
 * The edits, on this repository's own files as they are: with the subgraphs partners added
 * since, too (the expectations are relative to what each file holds now).
 */
const PROBE = 'registration-probe';
const read = (path: string) => readFileSync(path, 'utf8');
const lastOf = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].at(-1)![0];
const supergraph = parse(read('schema/supergraph.yaml')) as {
  subgraphs: Record<string, { routing_url: string }>;
};
const port =
  Math.max(...Object.values(supergraph.subgraphs).map((s) => Number(new URL(s.routing_url).port))) +
  1;
const names = subgraphNames(PROBE, port);
const edits = registrations(names);
const edit = (path: string, text = read(path)) => edits[path]!(text);

describe('registering a new subgraph', () => {
  it('adds it to the lists the gateway and the standalone subgraphs read', () => {
    expect(edit('gateway/config.ts')).toMatch(
      /export const SUBGRAPH_NAMES = \[[^\]]*'billing'[^\]]*, 'registration-probe'\];/,
    );
    const registry = edit('subgraphs/standalone-subgraphs.ts');
    expect(registry).toContain(
      "import { registrationProbeSubgraph } from './registration-probe/server.js';\n// `npm run subgraph:new`",
    );
    expect(registry).toMatch(/StandaloneSubgraph\[\] = \[([^\]]*, )?registrationProbeSubgraph\];/);
    // A second one goes after the first.
    const second = registrations(subgraphNames('audit-trail', port + 1))[
      'subgraphs/standalone-subgraphs.ts'
    ]!(registry);
    expect(second).toMatch(/registrationProbeSubgraph, auditTrailSubgraph\];/);
  });

  it("adds its service, the gateway's URL and dependency to docker compose", () => {
    const before = read('deploy/docker-compose.yml');
    const compose = edit('deploy/docker-compose.yml');
    expect(compose).toContain(
      `  ${PROBE}:\n    <<: *subgraph\n    command: ['node', 'dist/subgraphs/${PROBE}/main.js']\n    environment: { <<: *subgraph-env, PORT: '${port}' }\n  gateway:\n`,
    );
    // After the gateway's last subgraph URL and its last dependency.
    const lastUrl = lastOf(before, /^ {6}[A-Z_]+_URL: http:\/\/[a-z-]+:\d+\/graphql\n/gm);
    expect(compose).toContain(
      `${lastUrl}      REGISTRATION_PROBE_URL: http://${PROBE}:${port}/graphql\n`,
    );
    const lastHealthy = lastOf(before, /^ {6}[a-z-]+: \{ condition: service_healthy \}\n/gm);
    expect(compose).toContain(`${lastHealthy}      ${PROBE}: { condition: service_healthy }\n`);
  });

  it('opens the gateway egress to its port and adds its own policy and manifest', () => {
    const policies = edit('deploy/k8s/base/network-policies.yaml');
    expect(policies).toContain(`port: 4001, endPort: ${port} }`);
    expect(policies).toMatch(new RegExp(`metadata: \\{ name: ${PROBE} \\}[\\s\\S]*port: ${port}`));
    expect(edit('deploy/k8s/base/kustomization.yaml')).toContain(
      `  - ${PROBE}.yaml\n  - ingress.yaml\n`,
    );
    expect(edit('.github/workflows/deliver.yml')).toMatch(
      new RegExp(
        `DEPLOYMENTS: model-catalog wallet policy inference billing[a-z -]* ${PROBE} gateway\\n`,
      ),
    );
    expect(edit('schema/supergraph.yaml')).toMatch(
      new RegExp(
        `\\n {2}${PROBE}:\\n {4}routing_url: http://127\\.0\\.0\\.1:${port}/graphql\\n {4}schema:\\n {6}file: \\.\\./subgraphs/${PROBE}/schema\\.graphql\\n$`,
      ),
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
