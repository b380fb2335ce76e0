import { pathToFileURL } from 'node:url';
import { serveConfigured } from '../../functions/index.js';
import { loadConfig, type Config } from '../../shared/runtime/config.js';
import { createLogger } from '../../shared/runtime/logging.js';
import { startLocalStack } from './index.js';

/**
 * The process entry of the local stack: starts it, says where everything is, and stops it cleanly on Ctrl-C or
 * SIGTERM. An uncaught error stops the stack and exits non-zero rather than leaving half of it running.
 */
export async function runLocalStack(config: Config, opts: { scaled?: boolean } = {}): Promise<void> {
  const log = createLogger({ name: 'local-stack', level: config.logLevel });
  // `npm run start:scaled`: a private redis-server and two replicas of every function that can take them.
  const scaled = opts.scaled ? { privateRedis: true, replicas: { '*': 2 } } : {};
  const stack = await startLocalStack({ config, log, ...scaled });
  const s = stack.state;
  log.info(
    {
      page: s.frontDoor,
      chat: `${s.frontDoor}/chat`,
      operatorStream: `${s.frontDoor}/events?operator=1&token=<operatorToken in ${stack.stateFile}>`,
      operatorToken: `the page's operator event log asks for it once per tab: "operatorToken" in ${stack.stateFile} (readable by you only)`,
      brokerIngress: `${s.frontDoor}/cortex/default (direct: ${s.broker})`,
      eventAuth:
        s.eventAuth === 'oidc'
          ? `oidc: events to the broker need a token; the operator's is in ${s.eventTokenFile}`
          : 'off: deliveries carry no token; signed requests protect what acts (docs/security.md)',
      kubectl: `KUBECONFIG=${s.kubeconfig} kubectl get pods -n ${s.demo.namespace}`,
      claude:
        s.claude.mode === 'stand-in'
          ? 'local stand-in (no ANTHROPIC_API_KEY): answers are canned, not Claude'
          : 'Anthropic API'
    },
    `Open ${s.frontDoor} — press Ctrl-C to stop`
  );
  if (s.replicas) log.info({ redis: s.redis, replicas: s.replicas }, 'replicas behind their balancers');
  let stopping = false;
  const shutdown = (code: number) => (): void => {
    if (stopping) return;
    stopping = true;
    log.info('stopping the local stack');
    void stack.stop().finally(() => process.exit(code));
  };
  process.once('SIGINT', shutdown(0));
  process.once('SIGTERM', shutdown(0));
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception in the local stack');
    shutdown(1)();
  });
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection in the local stack');
    shutdown(1)();
  });
}

/**
 * `npm start`: the whole local stack; with CORTEX_FUNCTION set (or inside a cluster), the one function it names, as
 * the image serves it.
 */
export async function main(config: Config = loadConfig(), argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  if (config.function !== undefined || config.inCluster) return serveConfigured(config);
  await runLocalStack(config, { scaled: argv.includes('--scaled') });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`cortex: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
