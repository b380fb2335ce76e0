import { describe, expect, it } from 'vitest';
import checkPodLogs from '../../../../functions/check-pod-logs/index.js';
import { ForbiddenError, TransientError } from '../../../../shared/runtime/errors.js';
import { ctxFor } from '../../../fakes/ctx.js';
import { createFakeKube } from '../../../fakes/kube.js';
import { deployment, pod, request, runCheckOn, service, type PodShape } from '../../../helpers/check-cluster.js';

const POD = 'mcp-demo-7d4b9c8f6-logs1';
const key = (previous = false): string => `demo/${POD}/server${previous ? '#previous' : ''}`;

const CRASH_LOG = [
  '2026-11-27T09:59:29.000Z ERROR failed to connect to postgres',
  'Error: connect ECONNREFUSED 10.96.0.12:5432',
  '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16) {',
  "  code: 'ECONNREFUSED',",
  '}',
  '2026-11-27T09:59:29.000Z FATAL mcp-demo cannot start without its database, exiting with code 1'
].join('\n');

const cluster = (shape: PodShape, logs: Record<string, string>) => ({
  deployments: [deployment()],
  services: [service()],
  pods: [pod('logs1', shape)],
  logs
});

describe('Function: check-pod-logs', () => {
  it('returns no intents when the request does not list pod-logs', async () => {
    // Prepare
    const ctx = await ctxFor(checkPodLogs, { kube: createFakeKube(cluster('ready', {})) });
    // Act
    const intents = await checkPodLogs.handle(request(['pod-status']), ctx);
    // Assess
    expect(intents).toEqual([]);
  });

  it("finds the previous container's errors of a crash-looping pod, with counts and lines", async () => {
    // Prepare
    const c = cluster('crashloop', { [key()]: '', [key(true)]: CRASH_LOG });
    // Act
    const out = await runCheckOn(checkPodLogs, 'pod-logs', c);
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe(
      `Logs of unhealthy 1 pod (${POD}) show connection refused ×2, panic or fatal error ×1, including the previous container run`
    );
    const refused = out.evidence.find((e) => e.reason === 'connection_refused');
    expect(refused).toEqual({
      subject: `pod/${POD} container server (previous run)`,
      detail: `"Error: connect ECONNREFUSED 10.96.0.12:5432" | "code: 'ECONNREFUSED',"`,
      reason: 'connection_refused',
      count: 2
    });
    expect(out.recommendation).toBeUndefined();
    // Which patterns, not how many: the same crash signs the same way from one run to the next.
    expect(out.symptom).toBe('connection_refused+crash');
    expect(out.commands).toEqual([`kubectl logs -n demo ${POD} -c server --previous --tail=50`]);
  });

  it.each([
    ['auth_failure', 'upstream answered 401 Unauthorized for /v1/tools'],
    ['auth_failure', 'request failed with status 403'],
    ['dns', 'getaddrinfo ENOTFOUND postgres.demo.svc.cluster.local'],
    ['dns', 'dial tcp: lookup api.example.com: no such host'],
    ['crash', 'panic: runtime error: invalid memory address or nil pointer dereference'],
    ['crash', 'Uncaught exception: TypeError: x is not a function'],
    ['out_of_memory', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'],
    ['timeout', 'readiness check failed: upstream dependency timed out after 5000ms'],
    ['timeout', 'Error: connect ETIMEDOUT 10.0.0.1:443']
  ])('counts %s in "%s"', async (id, line) => {
    // Prepare
    const c = cluster('not-ready', { [key()]: `starting\n${line}\nstill here` });
    // Act
    const out = await runCheckOn(checkPodLogs, 'pod-logs', c);
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.evidence.find((e) => e.reason === id)).toMatchObject({ count: 1, subject: `pod/${POD} container server` });
  });

  it('is healthy when the logs read show no known pattern, quoting the last line', async () => {
    // Prepare
    const c = cluster('not-ready', { [key()]: 'INFO starting\nINFO GET /healthz 200 1ms' });
    // Act
    const out = await runCheckOn(checkPodLogs, 'pod-logs', c);
    // Assess
    expect(out.verdict).toBe('healthy');
    expect(out.summary).toBe(`No known error patterns in the logs of unhealthy 1 pod (${POD})`);
    expect(out.evidence).toContainEqual({
      subject: `pod/${POD} container server`,
      detail: 'last line: "INFO GET /healthz 200 1ms"'
    });
  });

  it('reads a ready pod when none is unhealthy: a 401 there still is a finding', async () => {
    // Prepare
    const c = cluster('ready', { [key()]: 'POST /mcp 500: upstream answered 401' });
    // Act
    const out = await runCheckOn(checkPodLogs, 'pod-logs', c);
    // Assess
    expect(out.verdict).toBe('problem');
    expect(out.summary).toBe(`Logs of 1 pod (${POD}) show authentication failure ×1`);
  });

  it('treats a missing previous log as none and reads no previous log of a container that never restarted', async () => {
    // Prepare
    const kube = createFakeKube(cluster('crashloop', { [key()]: 'booting' }));
    const reads: boolean[] = [];
    const read = kube.readPodLog;
    kube.readPodLog = async (ns, p, o) => (reads.push(!!o?.previous), read(ns, p, o));
    // Act
    const out = await runCheckOn(checkPodLogs, 'pod-logs', kube);
    // Assess
    expect(reads.sort()).toEqual([false, true]);
    expect(out.verdict).toBe('healthy');
  });

  it('is inconclusive when an image that never pulled left no logs', async () => {
    // Act
    const out = await runCheckOn(checkPodLogs, 'pod-logs', cluster('image-pull', {}));
    // Assess
    expect(out.verdict).toBe('inconclusive');
    expect(out.summary).toBe(`No log lines to read for unhealthy 1 pod (${POD}): the containers have not written any yet`);
    expect(out.evidence).toEqual([
      { subject: `pod/${POD} container server`, detail: 'waiting: ImagePullBackOff', reason: 'NoLogs' }
    ]);
  });

  it('is inconclusive when there are no pods at all', async () => {
    // Act
    const out = await runCheckOn(checkPodLogs, 'pod-logs', {
      deployments: [deployment({ replicas: 0 })],
      services: [service()]
    });
    // Assess
    expect(out).toMatchObject({ verdict: 'inconclusive', summary: 'No running pods of demo/mcp-demo to read logs from' });
  });

  it('asks the API for a bounded tail and byte count', async () => {
    // Prepare
    const kube = createFakeKube(cluster('crashloop', { [key()]: 'x', [key(true)]: 'y' }));
    const opts: unknown[] = [];
    const read = kube.readPodLog;
    kube.readPodLog = async (ns, p, o) => (opts.push(o), read(ns, p, o));
    // Act
    await runCheckOn(checkPodLogs, 'pod-logs', kube);
    // Assess
    expect(opts).toContainEqual({ container: 'server', previous: true, tailLines: 200, limitBytes: 65536 });
  });

  describe('hostile log text', () => {
    it('strips ANSI escapes, OSC sequences and control characters before quoting', async () => {
      // Prepare
      const evil =
        '\u001b[31mERROR\u001b[0m \u001b]0;pwned\u0007connect ECONNREFUSED\u0000\u0008\u001b[2J 10.0.0.1:5432\u202e';
      const c = cluster('not-ready', { [key()]: evil });
      // Act
      const out = await runCheckOn(checkPodLogs, 'pod-logs', c);
      // Assess
      const hit = out.evidence.find((e) => e.reason === 'connection_refused');
      expect(hit?.detail).toBe('"ERROR connect ECONNREFUSED 10.0.0.1:5432"');
      expect(JSON.stringify(out)).not.toMatch(/\\u001b|\\u0000|\\u0007|\u202e/);
    });

    it('survives a 1 MB line: quotes are cut short and the summary stays one short line', async () => {
      // Prepare
      const huge = `panic: ${'A'.repeat(1024 * 1024)}`;
      const kube = createFakeKube(cluster('not-ready', {}));
      kube.readPodLog = async () => huge; // a server that ignores limitBytes
      // Act
      const out = await runCheckOn(checkPodLogs, 'pod-logs', kube);
      // Assess
      expect(out.verdict).toBe('problem');
      expect(out.summary.length).toBeLessThan(200);
      for (const e of out.evidence) expect(e.detail.length).toBeLessThanOrEqual(4096);
      expect(JSON.stringify(out).length).toBeLessThan(4000);
    });

    it('does not treat log text as a pattern: regex metacharacters are plain text', async () => {
      // Prepare
      const c = cluster('not-ready', { [key()]: '(a+)+$ .* [^] \\d{999999} timed out' });
      // Act
      const out = await runCheckOn(checkPodLogs, 'pod-logs', c);
      // Assess
      expect(out.evidence.find((e) => e.reason === 'timeout')?.detail).toBe('"(a+)+$ .* [^] \\d{999999} timed out"');
    });
  });

  it('is inconclusive when reading logs is forbidden, and propagates a transient error', async () => {
    // Prepare
    const forbidden = createFakeKube(cluster('crashloop', {}));
    forbidden.failNext('readPodLog', new ForbiddenError('reading log of pod demo/x failed: 403 pods/log is forbidden'));
    const flaky = createFakeKube(cluster('crashloop', {}));
    flaky.failNext('readPodLog', new TransientError('reading log failed: 503'));
    // Act
    const out = await runCheckOn(checkPodLogs, 'pod-logs', forbidden);
    const failing = checkPodLogs.handle(request(['pod-logs']), await ctxFor(checkPodLogs, { kube: flaky }));
    // Assess
    expect(out).toMatchObject({
      verdict: 'inconclusive',
      summary: 'forbidden: reading log of pod demo/x failed: 403 pods/log is forbidden'
    });
    await expect(failing).rejects.toBeInstanceOf(TransientError);
  });
});
