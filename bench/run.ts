import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { compare, formatComparison, mergeBaseline } from './compare.js';
import { benchBroker } from './broker.js';
import { benchChat } from './chat.js';
import { benchChecks } from './checks.js';
import { benchColdstart } from './coldstart.js';
import { benchKubeSim } from './kube-sim.js';
import { benchPipeline, benchPipelineCrowded } from './pipeline.js';
import { benchRedact } from './redact.js';
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
 * `--compare` prints each figure against the committed bench/baseline.json (and exits 1 on a regression);
 * `--save-baseline` writes this run's figures into it.
 */
const suites: Record<string, () => Promise<Measurement[]>> = {
  broker: benchBroker,
  checks: benchChecks,
  coldstart: benchColdstart,
  'kube-sim': benchKubeSim,
  pipeline: () => benchPipeline(),
  'pipeline-crowded': benchPipelineCrowded,
  relay: benchRelay,
  'relay-replicas': benchRelayReplicas,
  'relay-follow': benchRelayFollow,
  'sse-writer': benchSseWriter,
  trust: benchTrust,
  redact: benchRedact,
  chat: benchChat,
  storm: benchStorm
};

const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const flags = new Set(args.filter((a) => a.startsWith('--')));
const BASELINE = 'bench/baseline.json';
const unknownFlags = [...flags].filter((f) => f !== '--compare' && f !== '--save-baseline');
const unknownSuites = only.filter((n) => !(n in suites));
if (unknownFlags.length > 0 || unknownSuites.length > 0) {
  console.error(
    `bench: unknown ${[...unknownFlags, ...unknownSuites].join(', ')}; suites: ${Object.keys(suites).join(', ')}`
  );
  console.error('flags: --compare (against bench/baseline.json), --save-baseline');
  process.exit(2);
}
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

if (flags.has('--compare')) {
  const saved = JSON.parse(await readFile(BASELINE, 'utf8')) as Measurement[];
  const rows = compare(results, saved);
  console.log(`against ${BASELINE} (same-run ratios where there are, else values; worse by over 25% = regression):`);
  for (const line of formatComparison(rows)) console.log(line);
  const missing = results.filter((m) => !saved.some((b) => b.name === m.name)).map((m) => m.name);
  if (missing.length > 0) console.log(`  not in the baseline: ${missing.join(', ')}`);
  if (rows.some((r) => r.regression)) process.exitCode = 1;
}
if (flags.has('--save-baseline')) {
  const saved = await readFile(BASELINE, 'utf8').then(
    (t) => JSON.parse(t) as Measurement[],
    () => []
  );
  await writeFile(BASELINE, JSON.stringify(mergeBaseline(saved, results), null, 2) + '\n');
  console.log(`wrote ${BASELINE}`);
}
