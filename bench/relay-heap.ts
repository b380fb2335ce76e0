import { readFile, rm } from 'node:fs/promises';
import { startChild, SECRET } from './relay.js';
import { connectClients } from './sse-clients.js';
import { sessionToken } from '../shared/session/token.js';
import { sessionId } from './relay-keys.js';

/*
 * What one relay stream costs, object by object: heap snapshots of the relay child (bench/relay-child.ts) without
 * clients and with N session clients, grouped by constructor (or closure name) and diffed, per client.
 *
 *   node --import tsx bench/relay-heap.ts [relay|bare] [N]
 */

interface Row {
  count: number;
  size: number;
}

async function histogram(file: string): Promise<Map<string, Row>> {
  const snap = JSON.parse(await readFile(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const out = new Map<string, Row>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType]!]!;
    const name =
      type === 'string' || type === 'concatenated string' || type === 'sliced string'
        ? ''
        : snap.strings[snap.nodes[i + iName]!]!;
    const key = `${type}:${name.slice(0, 60)}`;
    const row = out.get(key) ?? { count: 0, size: 0 };
    row.count++;
    row.size += snap.nodes[i + iSize]!;
    out.set(key, row);
  }
  return out;
}

const mode = (process.argv[2] ?? 'relay') as 'relay' | 'bare';
const n = Number(process.argv[3] ?? 2000);
const child = await startChild(mode);
const urlOf = (i: number): string =>
  mode === 'relay'
    ? `${child.url}/events?session=${sessionId(i)}&token=${sessionToken(SECRET, sessionId(i))}`
    : `${child.url}/events`;
// Warm the code paths (one stream) before the first snapshot.
const warm = await connectClients([urlOf(n)]);
warm.close();
await new Promise((r) => setTimeout(r, 200));
const before = await child.snapshot();
const clients = await connectClients(Array.from({ length: n }, (_, i) => urlOf(i)));
const after = await child.snapshot();
// RSS is the bench's (`npm run bench -- relay`): writing a snapshot grows it.
const connected = clients.connected;
clients.close();
await child.stop();
const [a, b] = await Promise.all([histogram(before), histogram(after)]);
await Promise.all([rm(before), rm(after)]);
const rows = [...b]
  .map(([k, r]) => ({
    k,
    count: (r.count - (a.get(k)?.count ?? 0)) / connected,
    size: (r.size - (a.get(k)?.size ?? 0)) / connected
  }))
  .filter((r) => Math.abs(r.size) >= 4)
  .sort((x, y) => y.size - x.size);
let total = 0;
for (const r of rows) total += r.size;
console.log(`${mode}, ${connected} streams: heap per stream ${total.toFixed(0)} B (grown between the snapshots / streams)`);
for (const r of rows.slice(0, 70))
  console.log(`${r.size.toFixed(0).padStart(7)} B ${r.count.toFixed(2).padStart(6)}×  ${r.k}`);
