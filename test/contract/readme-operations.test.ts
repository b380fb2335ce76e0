import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadAll } from '../../functions/index.js';
import { jsonlFile, runCli } from '../helpers/cli.js';
import { KUBECTL } from '../helpers/kubectl.js';

/*
 * The README's "Deploy on Knative" and "Replay an event" sections show files and output an operator copies: the
 * broker-class overlay must render as shown with Debian's kubectl 1.20, and the kn example must be what `cortex kn`
 * prints for the fixture it names.
 */

const readme = readFileSync('README.md', 'utf8');
const section = (title: string): string => {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end < 0 ? undefined : end);
};
const blocks = (text: string, lang: string): string[] =>
  [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

describe('Contract: README operations sections', () => {
  it('has both sections, after the existing content', () => {
    // Assess
    const titles = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(titles.slice(-2)).toEqual(['Deploy on Knative', 'Replay an event']);
  });

  it('shows a broker-class overlay that kubectl 1.20 renders offline: Kafka class, its config, the new image on every Service', async () => {
    // Prepare: the overlay's files as the README shows them, next to a checkout in ../cortex
    const root = mkdtempSync(path.join(os.tmpdir(), 'cortex-readme-'));
    cpSync('knative', path.join(root, 'cortex', 'knative'), { recursive: true });
    const files = blocks(section('Deploy on Knative'), 'yaml').filter((b) => b.startsWith('# file: '));
    for (const b of files) {
      const file = path.join(root, b.slice('# file: '.length, b.indexOf('\n')));
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, b);
    }
    const env = { ...process.env, KUBECONFIG: '/nonexistent/kubeconfig', HTTPS_PROXY: 'http://127.0.0.1:9' };
    // Act
    const { stdout } = await promisify(execFile)(KUBECTL, ['kustomize', path.join(root, 'cortex-production')], {
      env,
      maxBuffer: 16 * 1024 * 1024
    });
    const objects = parseAllDocuments(stdout).map((d) => d.toJS() as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    // Assess
    expect(files).toHaveLength(2);
    const broker = objects.find((o) => o.kind === 'Broker')!;
    expect(broker.metadata.annotations['eventing.knative.dev/broker.class']).toBe('Kafka');
    expect(broker.spec.config).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'kafka-broker-config',
      namespace: 'knative-eventing'
    });
    const images = objects.filter((o) => o.kind === 'Service').map((o) => o.spec.template.spec.containers[0].image);
    expect(images).toHaveLength((await loadAll()).length);
    expect(new Set(images)).toEqual(new Set(['registry.example.com/team/cortex:0.1.0']));
  });

  it('shows exactly what `cortex kn` prints for the error.reported fixture', async () => {
    // Prepare
    const shown = blocks(section('Replay an event'), 'sh')
      .find((b) => b.startsWith('$ npx cortex kn '))!
      .split('\n')
      .filter(Boolean);
    const fixture = JSON.parse(readFileSync('test/fixtures/events/dev.cortex.error.reported.json', 'utf8')) as object;
    // Act
    const run = await runCli(['kn', jsonlFile([fixture])]);
    // Assess
    expect(shown.slice(1)).toEqual([...run.stdout, ...run.stderr].filter(Boolean));
  });
});
