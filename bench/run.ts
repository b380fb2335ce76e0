import { mkdir, writeFile } from 'node:fs/promises';
import { benchBroker } from './broker.js';
import { benchChat } from './chat.js';
import { benchChecks } from './checks.js';
import { benchColdstart } from './coldstart.js';
import { benchKubeSim } from './kube-sim.js';
import { benchPipeline } from './pipeline.js';
import { benchRelay } from './relay.js';
import { benchRelayFollow } from './relay-follow.js';
import { benchRelayReplicas } from './relay-replicas.js';
import { benchSseWriter } from './sse-writer.js';
import { benchStorm } from './storm.js';
import { benchTrust } from './trust.js';
import type { Measurement } from './measure.js';

/*
 * `npm run bench`: every benchmark, each against a baseline measured in the same process, written to
 * bench/results/latest.json as [{name, value, unit, baseline, ratio}]. `npm run bench -- broker` runs one suite.
 */
const suites: Record<string, () => Promise<Measurement[]>> = {
  broker: benchBroker,
  checks: benchChecks,
  coldstart: benchColdstart,
  'kube-sim': benchKubeSim,
  pipeline: benchPipeline,
  relay: benchRelay,
  'relay-replicas': benchRelayReplicas,
  'relay-follow': benchRelayFollow,
  'sse-writer': benchSseWriter,
  trust: benchTrust,
  chat: benchChat,
  storm: benchStorm
};

const only = process.argv.slice(2);
const results: Measurement[] = [];
for (const [name, suite] of Object.entries(suites)) {
  if (only.length && !only.includes(name)) continue;
  console.log(`bench: ${name} …`);
  const out = await suite();
  results.push(...out);
  for (const m of out) {
    const vs = m.baseline === null ? '' : `  (baseline ${m.baseline} ${m.unit}, ratio ${m.ratio})`;
    console.log(`  ${m.name.padEnd(36)} ${String(m.value).padStart(10)} ${m.unit}${vs}`);
  }
}
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/latest.json', JSON.stringify(results, null, 2) + '\n');
console.log(`wrote bench/results/latest.json (${results.length} measurements)`);
