import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';

export const K8S_DIR = 'deploy/k8s';
export const OVERLAYS = ['dev', 'prod'] as const;

/** A rendered object, loosely typed: tests read its fields as an operator reads YAML. */
export type K8sObject = { apiVersion: string; kind: string; metadata: any; spec?: any } & Record<
  string,
  any
>;

/** The Kubernetes 1.27 schemas (kubernetes-models) of every kind deploy/ may hold. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

/** Throws with the object's name and the schema's complaint; a kind without a schema fails too. */
export function validateObject(object: K8sObject): void {
  const key = `${object.apiVersion}/${object.kind}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`${key} ${object.metadata?.name}: no schema to check it against`);
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${key} ${object.metadata?.name}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw doc.errors[0];
      return doc.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

/** The YAML files of a folder (a kustomization.yaml is not an object to apply). */
export function readFolder(folder: string): K8sObject[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')
    .sort()
    .flatMap((name) => parseObjects(readFileSync(join(folder, name), 'utf8')));
}

/** Why `kubectl kustomize` cannot run here, or undefined when it can. */
export function kustomizeUnavailable(): string | undefined {
  try {
    execFileSync('kubectl', ['version', '--client'], { timeout: 20_000, stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `kubectl cannot run (${(error as Error).message.split('\n')[0]})`;
  }
}

/** An overlay as kubectl applies it: `kubectl kustomize` runs offline. */
export function renderOverlay(overlay: string): K8sObject[] {
  const text = execFileSync('kubectl', ['kustomize', join(K8S_DIR, 'overlays', overlay)], {
    timeout: 60_000,
    encoding: 'utf8',
  });
  return parseObjects(text);
}

/** What a selector's matchLabels ask for is all in these labels (an empty selector matches all). */
export function selects(selector: any, labels: Record<string, string> = {}): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

function portAllowed(ports: any[] | undefined, port: number): boolean {
  if (!ports) return true;
  return ports.some((p) => (p.endPort ? port >= p.port && port <= p.endPort : p.port === port));
}

/** A peer list admits a pod of this namespace with these labels (absent: every peer). */
function peersAdmit(peers: any[] | undefined, labels: Record<string, string>): boolean {
  if (!peers) return true;
  // ipBlock peers name addresses outside the cluster's private ranges; namespaceSelector peers
  // other namespaces: neither admits a pod of ours.
  return peers.some((p) => p.podSelector && !p.namespaceSelector && selects(p.podSelector, labels));
}

type Pod = { app: string; labels: Record<string, string>; ports: number[] };

/**
 * Every pod-to-pod call the NetworkPolicies allow, as "from → to:port": allowed when a policy
 * selecting the caller lets it out and a policy selecting the callee lets it in (with a
 * default-deny selecting every pod, a pod no rule opens is closed).
 */
export function allowedCalls(policies: K8sObject[], pods: Pod[]): string[] {
  const out = (pod: Pod, to: Pod, port: number) =>
    policies.some(
      (np) =>
        selects(np.spec.podSelector, pod.labels) &&
        (np.spec.egress ?? []).some(
          (rule: any) => portAllowed(rule.ports, port) && peersAdmit(rule.to, to.labels),
        ),
    );
  const into = (pod: Pod, from: Pod, port: number) =>
    policies.some(
      (np) =>
        selects(np.spec.podSelector, pod.labels) &&
        (np.spec.ingress ?? []).some(
          (rule: any) => portAllowed(rule.ports, port) && peersAdmit(rule.from, from.labels),
        ),
    );
  const calls: string[] = [];
  for (const from of pods) {
    for (const to of pods) {
      for (const port of to.ports) {
        if (from !== to && out(from, to, port) && into(to, from, port)) {
          calls.push(`${from.app} → ${to.app}:${port}`);
        }
      }
    }
  }
  return calls.sort();
}

/** The ports a pod may reach outside the cluster (rules with no `to`, or an ipBlock peer). */
export function externalEgress(policies: K8sObject[], pod: Pod): number[] {
  const ports = new Set<number>();
  for (const np of policies) {
    if (!selects(np.spec.podSelector, pod.labels)) continue;
    for (const rule of np.spec.egress ?? []) {
      const external = !rule.to || rule.to.some((peer: any) => peer.ipBlock);
      if (!external) continue;
      for (const p of rule.ports ?? [{ port: 0 }]) ports.add(p.port);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

export function podsOf(objects: K8sObject[]): Pod[] {
  return objects
    .filter((o) => o.kind === 'Deployment')
    .map((d) => ({
      app: d.metadata.name,
      labels: d.spec.template.metadata.labels,
      ports: d.spec.template.spec.containers.flatMap((c: any) =>
        (c.ports ?? []).map((p: any) => p.containerPort),
      ),
    }));
}
