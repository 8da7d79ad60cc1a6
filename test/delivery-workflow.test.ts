import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { GITHUB_WORKFLOW_SCHEMA } from './support/github-workflow-schema.js';
import { K8S_DIR, readFolder } from './support/k8s-manifests.js';

// The delivery pipeline as code: each workflow matches the workflow syntax (our subset of it, see
// github-workflow-schema.ts), and deliver.yml does what docs/runbook.md says it does.

const WORKFLOWS = '.github/workflows';
const workflows = readdirSync(WORKFLOWS)
  .filter((name) => /\.ya?ml$/.test(name))
  .map((name) => [name, parse(readFileSync(join(WORKFLOWS, name), 'utf8'))] as const);
const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(
  GITHUB_WORKFLOW_SCHEMA,
);

const needsOf = (job: any): string[] => [job.needs ?? []].flat();
const runs = (job: any): string => job.steps.map((s: any) => s.run ?? '').join('\n');

describe.each(workflows)('%s', (_name, workflow) => {
  it('matches the workflow syntax', () => {
    validate(workflow);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('needs only jobs that exist, in an order that can run', () => {
    const jobs = Object.keys(workflow.jobs);
    const done: string[] = [];
    while (done.length < jobs.length) {
      const ready = jobs.filter(
        (j) => !done.includes(j) && needsOf(workflow.jobs[j]).every((n) => done.includes(n)),
      );
      expect(ready).not.toEqual([]); // a missing job or a cycle
      done.push(...ready);
    }
  });
});

describe('deliver.yml', () => {
  const { on, jobs } = parse(readFileSync(join(WORKFLOWS, 'deliver.yml'), 'utf8'));

  it('runs .ci/run on every push and pull request', () => {
    expect(Object.keys(on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
    expect(runs(jobs.ci)).toMatch(/^bash \.ci\/run$/m);
    expect(jobs.ci.if).toBeUndefined();
  });

  it('builds deploy/Dockerfile on main after CI, tagged with the commit, and pushes it', () => {
    expect(needsOf(jobs.image)).toEqual(['ci']);
    expect(jobs.image.if).toContain("github.ref == 'refs/heads/main'");
    const build = jobs.image.steps.find((s: any) => s.uses?.startsWith('docker/build-push-action'));
    expect(build.with).toMatchObject({ file: 'deploy/Dockerfile', push: true });
    expect(build.with.tags).toMatch(/:\$\{\{ github\.sha \}\}$/);
    expect(jobs.image.outputs.digest).toBe(`\${{ steps.${build.id}.outputs.digest }}`);
    expect(jobs.image.permissions.packages).toBe('write');
  });

  it('rolls the prod overlay out at that image and digest, waits for every Deployment, undoes a failed rollout', () => {
    expect(needsOf(jobs.deploy)).toEqual(expect.arrayContaining(['image']));
    const script = runs(jobs.deploy);
    const pin = jobs.deploy.steps.find((s: any) => s.run?.includes('kustomize edit set image'));
    expect(pin['working-directory']).toBe(join(K8S_DIR, 'overlays/prod'));
    expect(pin.run).toContain('modelgraph=${IMAGE}:${GITHUB_SHA}@${DIGEST}');
    expect(jobs.deploy.env.DIGEST).toBe('${{ needs.image.outputs.digest }}');
    expect(script).toContain(`kubectl apply -k ${K8S_DIR}/overlays/prod`);
    expect(script).toMatch(/kubectl rollout status "deployment\/\$deployment"/);

    // DEPLOYMENTS names every Deployment the base has, the gateway last (its subgraphs first).
    const deployments = jobs.deploy.env.DEPLOYMENTS.split(' ');
    const base = readFolder(join(K8S_DIR, 'base'))
      .filter((o) => o.kind === 'Deployment')
      .map((d) => d.metadata.name);
    expect([...deployments].sort()).toEqual(base.sort());
    expect(deployments.at(-1)).toBe('gateway');

    const undo = jobs.deploy.steps.find((s: any) => s.run?.includes('kubectl rollout undo'));
    const apply = jobs.deploy.steps.find((s: any) => s.run?.includes('kubectl apply -k'));
    expect(undo.if).toBe(`failure() && steps.${apply.id}.outcome == 'success'`);
  });

  it('the schema catches a misspelt key and a step that both uses and runs', () => {
    const broken = structuredClone(workflows.find(([name]) => name === 'deliver.yml')![1]);
    broken.jobs.deploy.need = broken.jobs.deploy.needs;
    broken.jobs.ci.steps.push({ uses: 'actions/checkout@v4', run: 'true' });
    expect(validate(broken)).toBe(false);
    const paths = validate.errors!.map((e) => e.instancePath);
    expect(paths).toEqual(expect.arrayContaining(['/jobs/deploy', '/jobs/ci/steps/3']));
  });
});
