import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENTRIES } from '../../scripts/build.mjs';
import { COMMAND, ENTRY } from '../../scripts/knative/objects.js';
import { readManifests } from '../helpers/manifests.js';

/*
 * Where the build's entries are named: the build itself (scripts/build.mjs), the Procfile, func.yaml, knative/, the
 * npm scripts and bin/cortex.js. They must agree, and nothing that runs may need TypeScript or a devDependency.
 */

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const built = (entry: string): string => `dist/${entry.replace(/\.ts$/, '.js')}`;
const BUILT = ENTRIES.map(built);

describe('Contract: the build and what runs it', () => {
  it('the image runs the built image entry with node: the Procfile and every Knative Service', () => {
    // Assess
    expect(ENTRY).toBe(built('functions/main.ts'));
    expect(BUILT).toContain(ENTRY);
    expect(readFileSync('Procfile', 'utf8').trim()).toBe(`web: node ${ENTRY}`);
    const services = readManifests().filter(
      (m) => m.object.kind === 'Service' && m.object.apiVersion === 'serving.knative.dev/v1'
    );
    expect(services.length).toBeGreaterThan(0);
    for (const { file, object } of services) {
      const [container] = object.spec.template.spec.containers;
      expect({ command: container.command, args: container.args }, file).toEqual(COMMAND);
    }
    expect(COMMAND.args.slice(-2)).toEqual(['node', ENTRY]);
  });

  it('func.yaml builds with the build script, and the image drops the devDependencies', () => {
    // Prepare
    const func = parse(readFileSync('func.yaml', 'utf8')) as {
      build: { buildEnvs: Array<{ name: string; value: string }> };
    };
    const env = Object.fromEntries(func.build.buildEnvs.map((e) => [e.name, e.value]));
    // Assess
    expect(env.BP_NODE_RUN_SCRIPTS).toBe('build');
    expect(env.NODE_ENV).toBe('production');
    expect(pkg.scripts.build).toBe('node scripts/build.mjs');
  });

  it('npm start, npm run sim and npm run serve run a built entry with node, after installing and building if needed', () => {
    // Assess
    expect(pkg.scripts.start).toBe(`node ${built('local/stack/main.ts')}`);
    expect(pkg.scripts.sim).toBe(`node ${built('local/kube-sim/main.ts')}`);
    expect(pkg.scripts.serve).toBe(`node ${ENTRY}`);
    for (const script of ['start', 'sim', 'serve'])
      expect(BUILT, script).toContain(pkg.scripts[script]!.slice('node '.length));
    for (const pre of ['prestart', 'pretest', 'presim', 'precortex'])
      expect(pkg.scripts[pre], pre).toBe('node scripts/ensure-ready.mjs');
  });

  it('the cortex command runs the built CLI', () => {
    // Assess
    expect(readFileSync('bin/cortex.js', 'utf8')).toContain(`import('../${built('cli/main.ts')}')`);
    expect(ENTRIES).toContain('cli/main.ts');
  });

  it('TypeScript, tsx and the bundler are devDependencies: nothing at run time needs them', () => {
    // Assess
    for (const dev of ['typescript', 'tsx', 'esbuild']) {
      expect(pkg.dependencies[dev], dev).toBeUndefined();
      expect(pkg.devDependencies[dev], dev).toBeDefined();
    }
    for (const script of ['start', 'sim', 'serve', 'cortex']) expect(pkg.scripts[script], script).not.toMatch(/tsx/);
  });
});
