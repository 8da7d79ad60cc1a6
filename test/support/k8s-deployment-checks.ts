import { type K8sObject, selects } from './k8s-manifests.js';

/**
 * What the app may take to drain after SIGTERM (streams end, in-flight requests finish, pools
 * close): terminationGracePeriodSeconds must leave this much after the preStop sleep.
 */
export const APP_DRAIN_BUDGET_S = 30;

/** An image reference that names one build: a tag other than `latest`, or a digest. */
export function isPinned(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return tag !== undefined && tag !== 'latest';
}

/** What an operator would flag in one Deployment, among the objects rendered with it. */
export function deploymentProblems(deployment: K8sObject, objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const flag = (ok: unknown, what: string) => {
    if (!ok) problems.push(`${deployment.metadata.name}: ${what}`);
  };
  const spec = deployment.spec;
  const pod = spec.template.spec;
  const labels: Record<string, string> = spec.template.metadata.labels;

  flag(spec.replicas === undefined, 'sets replicas, which its HPA owns');
  flag(spec.strategy?.rollingUpdate?.maxUnavailable === 0, 'rolling update may drop a ready pod');
  flag(pod.automountServiceAccountToken === false, 'mounts a service account token it never uses');
  flag(pod.securityContext?.runAsNonRoot === true, 'may run as root');
  flag(pod.securityContext?.seccompProfile?.type === 'RuntimeDefault', 'no RuntimeDefault seccomp');
  for (const key of ['topology.kubernetes.io/zone', 'kubernetes.io/hostname']) {
    flag(
      (pod.topologySpreadConstraints ?? []).some(
        (c: any) => c.topologyKey === key && selects(c.labelSelector, labels),
      ),
      `not spread over ${key}`,
    );
  }

  const tmp = (pod.volumes ?? []).find((v: any) => v.emptyDir);
  for (const c of pod.containers) {
    const sc = c.securityContext ?? {};
    flag(isPinned(c.image), `image ${c.image} is not pinned`);
    flag(sc.allowPrivilegeEscalation === false, 'allows privilege escalation');
    flag(sc.readOnlyRootFilesystem === true, 'root filesystem is writable');
    flag(sc.capabilities?.drop?.includes('ALL'), 'keeps Linux capabilities');
    flag(
      tmp && c.volumeMounts?.some((m: any) => m.name === tmp.name && m.mountPath === '/tmp'),
      '/tmp is not a writable emptyDir',
    );
    flag(c.resources?.requests?.cpu && c.resources?.requests?.memory, 'no cpu/memory requests');
    flag(c.resources?.limits?.memory, 'no memory limit');
    flag(c.startupProbe?.httpGet?.path === '/healthz', 'no startupProbe on /healthz');
    flag(c.readinessProbe?.httpGet?.path === '/readyz', 'no readinessProbe on /readyz');
    flag(c.livenessProbe?.httpGet?.path === '/healthz', 'no livenessProbe on /healthz');
    const sleep = c.lifecycle?.preStop?.exec?.command;
    const sleepSeconds = sleep?.[0] === 'sleep' ? Number(sleep[1]) : NaN;
    flag(sleepSeconds >= 5, 'no preStop sleep (≥ 5 s) for endpoints to drop the pod');
    flag(
      pod.terminationGracePeriodSeconds >= sleepSeconds + APP_DRAIN_BUDGET_S,
      `terminationGracePeriodSeconds leaves less than ${APP_DRAIN_BUDGET_S} s to drain`,
    );
  }

  const name = deployment.metadata.name;
  const hpa = objects.find(
    (o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === name,
  );
  flag(hpa && hpa.spec.minReplicas >= 1 && hpa.spec.maxReplicas > hpa.spec.minReplicas, 'no HPA');
  const pdb = objects.find(
    (o) => o.kind === 'PodDisruptionBudget' && selects(o.spec.selector, labels),
  );
  flag(pdb && (pdb.spec.maxUnavailable ?? pdb.spec.minAvailable) !== undefined, 'no PDB');
  flag(
    objects.some((o) => o.kind === 'Service' && selects({ matchLabels: o.spec.selector }, labels)),
    'no Service',
  );
  flag(
    objects.some(
      (o) => o.kind === 'NetworkPolicy' && o.spec.podSelector?.matchLabels?.app === name,
    ),
    'no NetworkPolicy of its own',
  );
  return problems;
}
