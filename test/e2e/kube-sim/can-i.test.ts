import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAll } from '../../../functions/index.js';
import { applyObjects } from '../../../local/kube-sim/apply.js';
import { type Simulator } from '../../../local/kube-sim/index.js';
import { readRbacManifests } from '../../../local/stack/identities.js';
import type { AnyFunctionDef, KubeNeed } from '../../../shared/runtime/define-function.js';
import { startTestSimulator } from '../../helpers/kube-sim.js';
import { kubectl, parseTable } from '../../helpers/kubectl.js';

/*
 * kubectl 1.20 `auth can-i --as=system:serviceaccount:cortex:<function>` against the simulator holding knative/'s
 * RBAC: what each function may do, as the API server answers it, is exactly what it declares, in the namespace it
 * targets and nowhere else. Table-driven over every function.
 */

const defs = await loadAll();
let sim: Simulator;
let kc: string;

/** `pods`, `deployments.apps`, and the subresource flag for `pods/log`. */
function canIArgs(group: string, resource: string): string[] {
  const [base, sub] = resource.split('/');
  return [`${base}${group ? `.${group}` : ''}`, ...(sub ? [`--subresource=${sub}`] : [])];
}

const grantsOf = (needs: readonly KubeNeed[] = []): Array<[string, string, string]> =>
  needs.flatMap((n) =>
    n.apiGroups.flatMap((g) => n.resources.flatMap((r) => n.verbs.map((v) => [g, r, v] as [string, string, string])))
  );

const canI = (fn: string, args: string[]) =>
  kubectl(kc, ['auth', 'can-i', ...args, `--as=system:serviceaccount:cortex:${fn}`]);

/** Runs the checks a few at a time (each is one kubectl process). */
async function inBatches<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(fn))));
  return out;
}

beforeAll(async () => {
  ({ sim, kubeconfig: kc } = await startTestSimulator());
  await applyObjects(sim.url, sim.adminToken, await readRbacManifests('knative'));
});
afterAll(async () => {
  await sim?.stop();
});

/** One verb no function with this grant declares on the resource, to ask about. */
const WRITE_OR_READ = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

describe.each(defs.map((d) => [d.name, d] as const))('kubectl auth can-i --as %s', (name, def: AnyFunctionDef) => {
  const grants = grantsOf(def.kube);

  it('answers yes for every grant it declares, in demo', async () => {
    // Act
    const answers = await inBatches(grants, 4, ([g, r, v]) => canI(name, [v, ...canIArgs(g, r), '-n', 'demo']));
    // Assess
    expect(answers.map((a) => a.stdout.trim())).toEqual(grants.map(() => 'yes'));
    expect(answers.every((a) => a.code === 0)).toBe(true);
  });

  it('answers no for the same grants elsewhere, and for every verb it does not declare', async () => {
    // Prepare
    const declared = new Set(grants.map(([g, r, v]) => `${g}/${r}:${v}`));
    const resources = [...new Set(grants.map(([g, r]) => `${g}|${r}`))].map((k) => k.split('|') as [string, string]);
    const probes: string[][] = [
      ...grants.slice(0, 1).map(([g, r, v]) => [v, ...canIArgs(g, r), '-n', 'kube-system']),
      ...grants.slice(0, 1).map(([g, r, v]) => [v, ...canIArgs(g, r), '-n', 'cortex']),
      ...resources.flatMap(([g, r]) =>
        WRITE_OR_READ.filter((v) => !declared.has(`${g}/${r}:${v}`))
          .slice(0, 3)
          .map((v) => [v, ...canIArgs(g, r), '-n', 'demo'])
      ),
      ['get', 'secrets', '-n', 'demo'],
      ['create', 'pods', '--subresource=eviction', '-n', 'demo']
    ].filter(
      (args) => !(name === 'remediate-restart-pods' && args.join(' ') === 'create pods --subresource=eviction -n demo')
    );
    // Act
    const answers = await inBatches(probes, 4, (args) => canI(name, args));
    // Assess
    expect(answers.map((a, i) => `${probes[i]!.join(' ')} → ${a.stdout.trim()}`)).toEqual(
      probes.map((p) => `${p.join(' ')} → no`)
    );
    expect(answers.every((a) => a.code === 1)).toBe(true);
  });

  it('lists exactly its declared grants in demo (auth can-i --list)', async () => {
    // Act
    const r = await canI(name, ['--list', '-n', 'demo']);
    const listed = parseTable(r.stdout)
      .filter((row) => row['Resources'] && !/^self\w+reviews\./.test(row['Resources']))
      .flatMap((row) => {
        const [base, ...rest] = row['Resources']!.split('/');
        const dot = base!.indexOf('.');
        const resource = (dot < 0 ? base! : base!.slice(0, dot)) + (rest.length ? `/${rest.join('/')}` : '');
        const group = dot < 0 ? '' : base!.slice(dot + 1);
        return row['Verbs']!.replace(/[[\]]/g, '')
          .split(' ')
          .map((v) => `${group}/${resource}:${v}`);
      });
    // Assess
    expect(r.code).toBe(0);
    expect(listed.sort()).toEqual(grants.map(([g, res, v]) => `${g}/${res}:${v}`).sort());
  });
});
