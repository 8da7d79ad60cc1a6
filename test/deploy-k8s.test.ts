import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  K8S_DIR,
  type K8sObject,
  OVERLAYS,
  allowedCalls,
  externalEgress,
  kustomizeUnavailable,
  podsOf,
  readFolder,
  renderOverlay,
  validateObject,
} from './support/k8s-manifests.js';
import { deploymentProblems } from './support/k8s-deployment-checks.js';
import { addedSubgraphs, supergraphPorts } from './support/subgraph-list.js';

// Each overlay as `kubectl kustomize` renders it (offline). Without kubectl, the base files as
// written, with the overlay's `images:` applied by hand (its patches are not).
const unavailable = kustomizeUnavailable();
if (unavailable) {
  console.warn(`deploy/k8s: ${unavailable}; checking the base files with each overlay's images`);
}

function withOverlayImages(objects: K8sObject[], overlay: string): K8sObject[] {
  const kustomization = parse(
    readFileSync(join(K8S_DIR, 'overlays', overlay, 'kustomization.yaml'), 'utf8'),
  );
  const copy: K8sObject[] = structuredClone(objects);
  for (const d of copy.filter((o) => o.kind === 'Deployment')) {
    for (const c of d.spec.template.spec.containers) {
      const image = kustomization.images?.find((i: any) => i.name === c.image);
      if (!image) continue;
      c.image = `${image.newName ?? image.name}${image.newTag ? `:${image.newTag}` : ''}${
        image.digest ? `@${image.digest}` : ''
      }`;
    }
  }
  return copy;
}

const rendered: [string, K8sObject[]][] = OVERLAYS.map((overlay) => [
  overlay,
  unavailable
    ? withOverlayImages(readFolder(join(K8S_DIR, 'base')), overlay)
    : renderOverlay(overlay),
]);

const SERVICES = ['gateway', ...supergraphPorts().map((s) => s.name)].sort();
// A subgraph `npm run subgraph:new` added calls nobody and reaches only PostgreSQL.
const added = addedSubgraphs();

describe.each(rendered)('deploy/k8s overlay %s', (overlay, objects) => {
  const of = (kind: string) => objects.filter((o) => o.kind === kind);

  it('validates every object against the Kubernetes schemas', () => {
    const invalid: string[] = [];
    for (const object of objects) {
      try {
        validateObject(object);
      } catch (error) {
        invalid.push((error as Error).message);
      }
    }
    expect(invalid).toEqual([]);
    expect(
      of('Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(SERVICES);
    if (!unavailable) {
      expect(new Set(objects.map((o) => o.metadata.namespace ?? o.metadata.name))).toEqual(
        new Set(['modelgraph']),
      );
    }
  });

  it('gives every Deployment what an operator expects (see k8s-deployment-checks.ts)', () => {
    expect(of('Deployment').flatMap((d) => deploymentProblems(d, objects))).toEqual([]);
  });

  it('denies all traffic but the calls each service makes, DNS and monitoring', () => {
    const policies = of('NetworkPolicy');
    const deny = policies.find((p) => p.metadata.name === 'default-deny');
    expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const pods = podsOf(objects);
    expect(allowedCalls(policies, pods)).toEqual(
      [
        'gateway → model-catalog:4001',
        'gateway → inference:4002',
        'gateway → wallet:4003',
        'gateway → policy:4004',
        'gateway → billing:4005',
        'gateway → orchestration:4006',
        'inference → model-catalog:4001',
        'inference → wallet:4003',
        'inference → policy:4004',
        'inference → orchestration:4006',
        'billing → wallet:4003',
        'billing → policy:4004',
        'orchestration → policy:4004',
        'orchestration → wallet:4003',
        'orchestration → inference:4002',
        'orchestration → model-catalog:4001',
        ...added.map((s) => `gateway → ${s.name}:${s.port}`),
      ].sort(),
    );
    // Outside the cluster: PostgreSQL 5432, Redis 6379, HTTPS 443 (providers, Stripe, the JWKS).
    expect(Object.fromEntries(pods.map((pod) => [pod.app, externalEgress(policies, pod)]))).toEqual(
      {
        gateway: [443, 6379],
        'model-catalog': [5432],
        inference: [443, 5432, 6379],
        wallet: [5432],
        policy: [5432, 6379],
        billing: [443, 5432],
        orchestration: [5432],
        ...Object.fromEntries(added.map((s) => [s.name, [5432]])),
      },
    );
    const dns = policies.find((p) => p.metadata.name === 'allow-dns');
    expect(dns?.spec.podSelector).toEqual({});
    expect(dns?.spec.egress.flatMap((r: any) => r.ports.map((p: any) => p.port))).toEqual([53, 53]);
  });

  it('routes the Ingress to the gateway Service port', () => {
    const [ingress] = of('Ingress');
    const backend = ingress.spec.rules[0].http.paths[0].backend.service;
    const service = of('Service').find((s) => s.metadata.name === backend.name);
    expect(service?.spec.ports.map((p: any) => p.name)).toContain(backend.port.name);
    if (overlay === 'prod')
      expect(ingress.spec.tls?.[0]?.hosts).toEqual([ingress.spec.rules[0].host]);
  });
});

describe('deploy/k8s checks', () => {
  it('flag a Deployment an operator would refuse', () => {
    const objects = rendered[0][1];
    const deployment = structuredClone(objects.find((o) => o.kind === 'Deployment')!);
    const container = deployment.spec.template.spec.containers[0];
    container.image = 'modelgraph:latest';
    delete container.securityContext;
    delete container.startupProbe;
    delete deployment.spec.template.spec.topologySpreadConstraints;
    const problems = deploymentProblems(deployment, []).join('\n');
    for (const expected of [
      'is not pinned',
      'allows privilege escalation',
      'root filesystem is writable',
      'no startupProbe',
      'not spread over kubernetes.io/hostname',
      'no HPA',
      'no PDB',
    ]) {
      expect(problems).toContain(expected);
    }
  });

  it('the examples (secrets, supergraph ConfigMap) match the schemas', () => {
    const examples = readFolder(join(K8S_DIR, 'examples'));
    expect(examples.map((o) => o.kind).sort()).toEqual([
      'ConfigMap',
      'Secret',
      'Secret',
      'Secret',
      'Secret',
      'Secret',
    ]);
    for (const object of examples) validateObject(object);
  });
});
