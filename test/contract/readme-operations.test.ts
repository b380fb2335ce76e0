import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadAll } from '../../functions/index.js';
import { serviceNames } from '../../shared/runtime/define-function.js';
import { jsonlFile, runCli } from '../helpers/cli.js';
import { codeBlocks, overlayFiles, readme, readmeSection, renderReadmeOverlay } from '../helpers/readme.js';

/*
 * The README's "Deploy on Knative" and "Replay an event" sections show files and output an operator copies: the
 * broker-class overlay must render as shown with Debian's kubectl 1.20, and the kn example must be what `cortex kn`
 * prints for the fixture it names.
 */

describe('Contract: README operations sections', () => {
  it('has both sections, after the existing content', () => {
    // Assess
    const titles = [...readme().matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(titles.slice(-2)).toEqual(['Deploy on Knative', 'Replay an event']);
  });

  it('shows a broker-class overlay that kubectl 1.20 renders offline: Kafka class, its config, the new image on every Service', async () => {
    // Act
    const objects = await renderReadmeOverlay();
    // Assess
    expect(overlayFiles()).toHaveLength(2);
    const broker = objects.find((o) => o.kind === 'Broker')!;
    expect(broker.metadata.annotations['eventing.knative.dev/broker.class']).toBe('Kafka');
    expect(broker.spec.config).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'kafka-broker-config',
      namespace: 'knative-eventing'
    });
    const images = objects.filter((o) => o.kind === 'Service').map((o) => o.spec.template.spec.containers[0].image);
    expect(images).toHaveLength((await loadAll()).flatMap(serviceNames).length);
    expect(new Set(images)).toEqual(new Set(['registry.example.com/team/cortex:0.1.0']));
  });

  it('shows exactly what `cortex kn` prints for the error.reported fixture', async () => {
    // Prepare
    const shown = codeBlocks(readmeSection('Replay an event'), 'sh')
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
