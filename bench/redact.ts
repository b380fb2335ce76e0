import { redactDeep, redactText } from '../shared/redact/redact.js';
import { measurement, type Measurement } from './measure.js';

/*
 * What redaction costs per explanation, in process: a brief as large as explain-healing sends (12 findings with 8
 * pieces of evidence of 1,500 characters: a log tail with secrets in it) redacted whole, against serialising the same
 * brief (JSON.stringify), which every call does anyway; and one worst-case text block (a 200-line log of 240-character
 * lines, a secret of each kind on every line) against a copy of it, and an ordinary log with no secret.
 */

const N = 200;
const LINE =
  'ERROR 2026-12-06T10:00:00Z db connect failed postgres://app:s3cret@db.demo:5432/app DB_PASSWORD=hunter2 ' +
  'Authorization: Bearer abcdefghijklmnop0123 user=ops@example.org retrying in 500 ms (attempt 3 of 5) ……';

function perCall(n: number, fn: () => unknown): number {
  for (let i = 0; i < 20; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t0) * 1000) / n;
}

export async function benchRedact(): Promise<Measurement[]> {
  const evidence = Array.from({ length: 8 }, (_, i) => `pod mcp-demo-${i}: ${LINE.repeat(6)}`.slice(0, 1_500));
  const brief = {
    target: 'demo/mcp-demo',
    reason: 'mcp_unreachable: connect ECONNREFUSED',
    findings: Array.from({ length: 12 }, (_, i) => ({ check: `check-${i}`, verdict: 'problem', summary: LINE, evidence })),
    actions: [{ action: 'restart_pods', outcome: 'applied', summary: 'evicted 1 pod' }],
    manualSteps: ['kubectl -n demo logs deploy/mcp-demo --previous']
  };
  const log = Array.from({ length: 200 }, () => LINE.slice(0, 240)).join('\n');

  const serialise = perCall(N, () => JSON.stringify(brief));
  const deep = perCall(N, () => redactDeep(brief));
  const copy = perCall(N, () => log.split('\n').join('\n'));
  const block = perCall(N, () => redactText(log));
  const clean = Array.from(
    { length: 200 },
    (_, i) => `2026-12-06T10:00:${i % 60}Z info served GET /mcp 200 in ${i} ms`
  ).join('\n');
  const cleanCopy = perCall(N, () => clean.split('\n').join('\n'));
  const cleanBlock = perCall(N, () => redactText(clean));
  const round = (us: number): number => Math.round(us * 10) / 10;
  return [
    measurement(
      'redact brief (12 findings × 8 pieces)',
      round(deep),
      'µs/brief',
      round(serialise),
      'baseline: JSON.stringify of it'
    ),
    measurement('redact a 200-line log block', round(block), 'µs/block', round(copy), 'baseline: split and join of it'),
    measurement(
      'redact a 200-line log, no secret',
      round(cleanBlock),
      'µs/block',
      round(cleanCopy),
      'baseline: split and join'
    )
  ];
}
