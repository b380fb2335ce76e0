import { rm } from 'node:fs/promises';
import { startLocalStack } from '../local/stack/index.js';
import { startRedisServer, type RedisServer } from '../local/redis/server.js';
import { errorReport, publish, testStackEnv } from '../local/stack/driver.js';
import { createKubePort } from '../shared/kube/client-node.js';
import { measurement, pool, type Measurement } from './measure.js';

/*
 * Storm intake (DESIGN §5, §11): how many error.reported per second one local stack takes in and settles (every
 * report through error-intake, its healing.requested through the coordinator into the one healing of the target,
 * every delivery done), for a storm of REPORTS reports from SESSIONS sessions for one target.
 *
 * Baseline: the same storm on the in-memory stores (one process, the embedded default). Measured: the same stack
 * with every store on a private Redis, and with 3 error-intake and 3 coordinator processes sharing that Redis.
 */

const REPORTS = 2_000;
const SESSIONS = 500;
const IN_FLIGHT = 200;

/** Scales a demo Deployment to zero through the simulated API and waits until its pods are gone. */
async function scaleToZero(stack: Awaited<ReturnType<typeof startLocalStack>>, deployment: string): Promise<void> {
  const kube = createKubePort({ kubeconfigPath: stack.state.kubeconfig, timeoutMs: 5_000 });
  await kube.scaleDeployment('demo', deployment, 0);
  await stack.sim.waitFor(() => stack.sim.list('Pod', 'demo', `app=${deployment}`).length === 0, {
    message: `${deployment} pods gone`,
    timeoutMs: 30_000
  });
}

async function stormRate(extra: Record<string, string>): Promise<number> {
  const env = testStackEnv({ CORTEX_HEALING_BUDGET: '100000', ...extra });
  const stack = await startLocalStack({ overrides: env });
  try {
    await scaleToZero(stack, 'mcp-tools');
    const occurredAt = new Date().toISOString();
    const target = { namespace: 'demo', service: 'mcp-tools' };
    const t0 = performance.now();
    await pool(
      Array.from({ length: REPORTS }, (_, i) => `bench-${i % SESSIONS}`),
      IN_FLIGHT,
      async (sessionId) => {
        const status = await publish(stack, errorReport(target, { sessionId, occurredAt }));
        if (status !== 202) throw new Error(`the broker answered ${status}`);
      }
    );
    while (stack.broker.stats().pending > 0) await new Promise((r) => setTimeout(r, 10));
    return REPORTS / ((performance.now() - t0) / 1000);
  } finally {
    await stack.stop();
    await rm(env['CORTEX_STATE_DIR']!, { recursive: true, force: true });
  }
}

export async function benchStorm(): Promise<Measurement[]> {
  const memory = await stormRate({});
  let redis: RedisServer | undefined;
  try {
    redis = await startRedisServer();
    const onRedis = await stormRate({ CORTEX_REDIS_URL: redis.url });
    const scaled = await stormRate({
      CORTEX_REDIS_URL: redis.url,
      CORTEX_REDIS_PREFIX: 'scaled:',
      CORTEX_REPLICAS: 'error-intake=3,healing-coordinator=3'
    });
    const note = `${REPORTS} reports from ${SESSIONS} sessions for one target; baseline: in-memory stores, one process`;
    return [
      measurement('storm intake, in-memory stores', memory, 'reports/s', null, note),
      measurement('storm intake, Redis stores', onRedis, 'reports/s', memory, note),
      measurement('storm intake, Redis, 3+3 replicas', scaled, 'reports/s', memory, note)
    ];
  } finally {
    await redis?.dispose();
  }
}
