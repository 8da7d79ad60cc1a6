import type { SubgraphNames } from './names.js';

/** The new subgraph's Kubernetes objects: a sibling's (wallet.yaml), renamed. */
export function k8sManifest(n: SubgraphNames): string {
  return `# The ${n.name} subgraph (PostgreSQL), written by \`npm run subgraph:new\`.
# Same plan as gateway.yaml (README.md "What every service gets").
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${n.name}
  labels: { app: ${n.name}, tier: subgraph }
spec:
  selector: { matchLabels: { app: ${n.name} } }
  strategy: { type: RollingUpdate, rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }
  template:
    metadata: { labels: { app: ${n.name}, tier: subgraph } }
    spec:
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: 60
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        runAsGroup: 1000
        fsGroup: 1000
        seccompProfile: { type: RuntimeDefault }
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector: { matchLabels: { app: ${n.name} } }
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector: { matchLabels: { app: ${n.name} } }
      containers:
        - name: ${n.name}
          image: modelgraph
          command: ['node', 'dist/subgraphs/${n.name}/main.js']
          ports: [{ name: http, containerPort: ${n.port} }]
          env:
            - { name: PORT, value: '${n.port}' }
            - name: MODELGRAPH_INTERNAL_PUBLIC_KEY
              valueFrom:
                secretKeyRef:
                  { name: modelgraph-internal-keys, key: MODELGRAPH_INTERNAL_PUBLIC_KEY }
            - name: DATABASE_URL
              valueFrom: { secretKeyRef: { name: modelgraph-stores, key: DATABASE_URL } }
          volumeMounts: [{ name: tmp, mountPath: /tmp }]
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: { drop: [ALL] }
          # Migrations run before the port opens: up to 5 minutes before liveness takes over.
          startupProbe:
            httpGet: { path: /healthz, port: http }
            periodSeconds: 5
            failureThreshold: 60
          readinessProbe:
            httpGet: { path: /readyz, port: http }
            periodSeconds: 5
            timeoutSeconds: 3
          livenessProbe:
            httpGet: { path: /healthz, port: http }
            periodSeconds: 10
            timeoutSeconds: 3
          lifecycle:
            preStop: { exec: { command: ['sleep', '10'] } }
          resources: { requests: { cpu: 250m, memory: 256Mi }, limits: { memory: 512Mi } }
      volumes:
        - name: tmp
          emptyDir: { sizeLimit: 64Mi }
---
apiVersion: v1
kind: Service
metadata: { name: ${n.name}, labels: { app: ${n.name} } }
spec:
  selector: { app: ${n.name} }
  ports: [{ name: http, port: ${n.port}, targetPort: http }]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: ${n.name} }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${n.name} }
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: ${n.name} }
spec:
  maxUnavailable: 1
  selector: { matchLabels: { app: ${n.name} } }
`;
}

/** Its NetworkPolicy: called by the gateway only; reaches only PostgreSQL. */
export function networkPolicy(n: SubgraphNames): string {
  return `---
# ${n.name}: called by the gateway; reaches only PostgreSQL.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: ${n.name} }
spec:
  podSelector: { matchLabels: { app: ${n.name} } }
  policyTypes: [Ingress, Egress]
  ingress:
    - from: [{ podSelector: { matchLabels: { app: gateway } } }]
      ports: [{ protocol: TCP, port: ${n.port} }]
  egress:
    - ports: [{ protocol: TCP, port: 5432 }]
`;
}

/** Its docker-compose service, placed before the gateway's. */
export function composeService(n: SubgraphNames): string {
  return `  ${n.name}:
    <<: *subgraph
    command: ['node', 'dist/subgraphs/${n.name}/main.js']
    environment: { <<: *subgraph-env, PORT: '${n.port}' }
`;
}
