import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '../../functions/index.js';
import { execCli } from '../helpers/cli.js';
import { errorReported, postEvent } from '../helpers/events.js';
import { startRedisServer } from '../helpers/redis.js';
import { openSse } from '../helpers/sse.js';
import { TEST_KEY_ENV } from '../helpers/signing.js';
import { spawnProcess, type RunningProcess } from '../helpers/process.js';

/*
 * The build (dist/, npm run build) runs every process entry with plain node: each function as the image serves it,
 * the relay's page (files that are not modules), the simulator (npm run sim) and the cortex command. The sources are
 * bundled with their packages, so this is where a bundling mistake (a module path computed at run time, a file read
 * relative to a module) shows; the rest of the suite runs the TypeScript sources.
 */

const SECRET = 'build-test-secret-0123456789';
const FUNCTION_ENV = {
  PORT: '0',
  HOST: '127.0.0.1',
  K_SINK: 'http://127.0.0.1:9/',
  CORTEX_LOG_LEVEL: 'info',
  CORTEX_SESSION_SECRET: SECRET,
  CORTEX_OPERATOR_TOKEN: SECRET,
  // The signing keys each function's Secret gives it (cortex-signing-*)
  ...TEST_KEY_ENV
};

const json = (line: string): Record<string, unknown> => JSON.parse(line) as Record<string, unknown>;

/** Starts the built image entry serving `name`; resolves with its base URL once it says it listens. */
async function serveBuilt(
  name: string,
  env: Record<string, string> = {},
  nodeArgs: readonly string[] = []
): Promise<{ proc: RunningProcess; url: string }> {
  const proc = spawnProcess(process.execPath, [...nodeArgs, 'dist/functions/main.js'], {
    env: { ...FUNCTION_ENV, ...env, CORTEX_FUNCTION: name }
  });
  const line = await proc.waitFor('stdout', (l) => l.includes(`"msg":"${name} listening"`), 25_000);
  return { proc, url: `http://127.0.0.1:${String(json(line).port)}` };
}

describe('The build: every process entry runs with node on dist/', () => {
  it.concurrent.each(FUNCTION_NAMES)('%s answers /health/readiness from dist/functions/main.js', async (name) => {
    // Prepare
    const { proc, url } = await serveBuilt(name);
    try {
      // Act
      const res = await fetch(`${url}/health/readiness`);
      // Assess
      expect(res.status).toBe(200);
    } finally {
      expect(await proc.stop('SIGTERM')).toBe(0);
    }
  });

  it("the relay serves its page and the page's files, read from the project root", async () => {
    // Prepare
    const { proc, url } = await serveBuilt('sse-relay');
    try {
      // Act
      const [page, script] = await Promise.all([fetch(`${url}/`), fetch(`${url}/assets/app.js`)]);
      // Assess
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<script');
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toMatch(/javascript/);
    } finally {
      await proc.stop('SIGTERM');
    }
  });

  it.concurrent.each([
    ['sse-relay', false],
    ['chat', true]
  ])('%s from dist/ loads express: %s (the relay serves its page on plain node:http)', async (name, express) => {
    // Prepare
    const loads = path.join(mkdtempSync(path.join(os.tmpdir(), 'cortex-loads-')), 'loads.txt');
    const recorder = path.resolve('test/fixtures/node/record-loads.mjs');
    const { proc, url } = await serveBuilt(name, { CORTEX_TEST_LOADS_FILE: loads }, ['--import', recorder]);
    try {
      // Act
      const [page, script] = await Promise.all([fetch(`${url}/`), fetch(`${url}/assets/app.js`)]);
      await Promise.all([page.arrayBuffer(), script.arrayBuffer()]);
    } finally {
      await proc.stop('SIGTERM');
    }
    // Assess
    const chunks = readFileSync(loads, 'utf8')
      .split('\n')
      .filter((u) => u.includes('/dist/'));
    const withExpress = chunks.filter((u) => readFileSync(new URL(u), 'utf8').includes('x-powered-by'));
    expect(chunks.length).toBeGreaterThan(3);
    expect(withExpress.length > 0).toBe(express);
    expect(chunks.some((u) => /\/routes-app-\w+\.js$/.test(u))).toBe(express);
  });

  it("the relay's two Services on Redis, as knative/ deploys them: the ingest takes an event, the stream server streams it and refuses POST /", async () => {
    // Prepare
    const redis = await startRedisServer();
    const onRedis = { CORTEX_REDIS_URL: redis.url };
    const ingest = await serveBuilt('sse-relay', { ...onRedis, CORTEX_RELAY_ROLE: 'ingest' });
    const stream = await serveBuilt('sse-relay', { ...onRedis, CORTEX_RELAY_ROLE: 'stream' });
    try {
      const ops = await openSse(`${stream.url}/events?operator=1&token=${SECRET}&history=0`);
      await ops.until((c) => c.messages.length >= 1);
      // Act
      const taken = await postEvent(ingest.url, errorReported());
      const refused = await postEvent(stream.url, errorReported());
      await ops.until((c) => c.messages.some((m) => m.event === 'dev.cortex.error.reported'), 20_000);
      ops.close();
      // Assess
      expect([taken.status, refused.status]).toEqual([202, 404]);
      expect(ops.messages.filter((m) => m.event === 'dev.cortex.error.reported')).toHaveLength(1);
    } finally {
      await ingest.proc.stop('SIGTERM');
      await stream.proc.stop('SIGTERM');
      await redis.dispose();
    }
  });

  it('npm run sim: the simulator answers the Kubernetes API and stops on Ctrl-C', async () => {
    // Prepare
    const proc = spawnProcess(process.execPath, ['dist/local/kube-sim/main.js'], {
      env: {
        CORTEX_SIM_PORT: '0',
        CORTEX_STATE_DIR: mkdtempSync(path.join(os.tmpdir(), 'cortex-sim-')),
        CORTEX_LOG_LEVEL: 'info'
      }
    });
    const ready = json(await proc.waitFor('stdout', (l) => l.includes('cluster simulator ready'), 25_000));
    const kc = new KubeConfig();
    kc.loadFromFile(String(ready.kubeconfig));
    // Act: as a user would, with the kubeconfig it wrote (TLS, the admin's token)
    const list = await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: 'demo' });
    const code = await proc.stop('SIGINT');
    // Assess
    expect(list.items.map((d) => d.metadata?.name)).toContain('mcp-demo');
    expect(code).toBe(0);
  });

  it('the cortex command runs from bin/cortex.js on the build', async () => {
    // Act
    const run = await execCli(['help']);
    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout.join('\n')).toMatch(/cortex tail/);
  });
});
