import path from 'node:path';
import { loadConfig } from '../../shared/runtime/config.js';
import { createLogger } from '../../shared/runtime/logging.js';
import { startSimulator } from './index.js';

/*
 * `npm run sim`: the cluster simulator alone, seeded with the demo workloads, on the configured port
 * (CORTEX_SIM_PORT, default 18080), with a kubeconfig in the state directory. Ctrl-C stops it.
 */

const config = loadConfig();
const log = createLogger({ name: 'kube-sim', level: config.logLevel });

const sim = await startSimulator({
  port: config.local.simPort,
  seed: 'demo',
  podStartMs: config.local.podStartMs,
  backoffBaseMs: config.local.backoffMs,
  log
});
const kubeconfig = await sim.writeKubeconfig(path.join(config.local.stateDir, 'sim-kubeconfig.yaml'), 'demo');
const relative = path.relative(process.cwd(), kubeconfig);
const rel = relative && !relative.startsWith('..') ? relative : kubeconfig;
log.info({ url: sim.url, kubeconfig }, `cluster simulator ready: KUBECONFIG=${rel} kubectl get pods -n demo`);
log.info(
  `inject a fault: KUBECONFIG=${rel} kubectl annotate deploy/mcp-demo -n demo sim.cortex.dev/fault=crashloop (clear with sim.cortex.dev/fault-)`
);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping the cluster simulator');
  sim.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      log.error({ err }, 'stopping failed');
      process.exit(1);
    }
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
