/*
 * Reading Prometheus text exposition (version 0.0.4) in tests: one sample per line, `name{l="v",…} value`, with
 * `# HELP` and `# TYPE` lines. Samples are keyed by name and labels, so a test asks for exactly the series it means.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  /** The value of the one series with this name and exactly these labels (0 when it is absent). */
  value(name: string, labels?: Record<string, string>): number;
  /** The sum over every series of this name whose labels include these. */
  sum(name: string, labels?: Record<string, string>): number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL))
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1]!, labels, value: m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]) });
  }
  const matches = (s: Sample, name: string, labels: Record<string, string>, exact: boolean): boolean =>
    s.name === name &&
    Object.entries(labels).every(([k, v]) => s.labels[k] === v) &&
    (!exact || Object.keys(s.labels).length === Object.keys(labels).length);
  return {
    samples,
    types,
    value: (name, labels = {}) => samples.find((s) => matches(s, name, labels, true))?.value ?? 0,
    sum: (name, labels = {}) => samples.filter((s) => matches(s, name, labels, false)).reduce((a, s) => a + s.value, 0)
  };
}

/** GET <url>/metrics and parse it; fails the test on anything but 200 text/plain. */
export async function scrape(baseUrl: string): Promise<Exposition> {
  const res = await fetch(`${baseUrl}/metrics`);
  const text = await res.text();
  if (res.status !== 200 || !res.headers.get('content-type')?.startsWith('text/plain')) {
    throw new Error(`${baseUrl}/metrics answered ${res.status} ${res.headers.get('content-type')}: ${text.slice(0, 200)}`);
  }
  return parseExposition(text);
}

/** Scrapes until `ok` holds (metrics move when deliveries finish), or fails after `safetyMs`. */
export async function scrapeUntil(baseUrl: string, ok: (e: Exposition) => boolean, safetyMs = 30_000): Promise<Exposition> {
  const end = Date.now() + safetyMs;
  for (;;) {
    const e = await scrape(baseUrl);
    if (ok(e)) return e;
    if (Date.now() > end) throw new Error(`${baseUrl}/metrics never satisfied the condition`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
