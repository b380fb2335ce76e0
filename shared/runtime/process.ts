import { ErrorReported, LIMITS } from '../events/catalog.js';
import { stamp } from '../events/envelope.js';
import type { AnyFunctionDef } from './define-function.js';
import { createPublisher } from './publish.js';
import { eventTokenOf } from '../trust/token-file.js';
import { run, type RunningFunction, type RunOptions } from './run.js';

/** How long a crashing process waits for its error.reported to be accepted before it exits anyway. */
const CRASH_PUBLISH_MS = 2_000;

/**
 * Installs the last-resort handlers of a function process: an uncaught exception or unhandled rejection is published
 * as dev.cortex.error.reported (component = the function, target = its own Knative Service, so a crashing function
 * of ours can be healed like any workload) and the process exits non-zero.
 */
export function installCrashHandlers(fn: RunningFunction, exit: (code: number) => void = (c) => process.exit(c)): void {
  const { config, ctx } = fn;
  const publish = createPublisher({ sink: config.sink, timeoutMs: CRASH_PUBLISH_MS, token: eventTokenOf(config.security) });
  let crashing = false;
  const crash = (category: 'uncaught_exception' | 'unhandled_rejection') => (err: unknown) => {
    if (crashing) return;
    crashing = true;
    const error = err instanceof Error ? err : new Error(String(err));
    ctx.log.fatal({ err: error, category }, 'crash: reporting and exiting');
    const intent = ErrorReported.intent({
      component: fn.name,
      category,
      message: `${error.name}: ${error.message}`.slice(0, LIMITS.text),
      occurredAt: ctx.clock.now().toISOString(),
      target: { namespace: config.namespace, service: config.service ?? fn.name }
    });
    const event = stamp(fn.name, intent, 0, { clock: ctx.clock, ids: ctx.ids });
    void publish(event)
      .then(() => ctx.log.info({ id: event.id }, 'crash reported'))
      .catch((e: unknown) => ctx.log.error({ err: e }, 'crash report could not be published'))
      .finally(() => {
        ctx.log.flush?.();
        exit(1);
      });
  };
  process.on('uncaughtException', crash('uncaught_exception'));
  process.on('unhandledRejection', crash('unhandled_rejection'));
}

/** Stops gracefully on SIGTERM/SIGINT (Knative sends SIGTERM, then waits terminationGracePeriodSeconds). */
export function installSignalHandlers(stop: () => Promise<void>, log: { info(msg: string): void }): void {
  let stopping = false;
  const onSignal = (signal: string) => (): void => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: draining`);
    void stop().then(
      () => process.exit(0),
      () => process.exit(1)
    );
  };
  process.once('SIGTERM', onSignal('SIGTERM'));
  process.once('SIGINT', onSignal('SIGINT'));
}

/**
 * Serves one function as the whole process: the container's command (`npm start` with CORTEX_FUNCTION set).
 *
 * @example
 * await serveProcess(def);
 */
export async function serveProcess(def: AnyFunctionDef, opts: RunOptions = {}): Promise<RunningFunction> {
  // Signals are handled from before the server listens: a SIGTERM right after "listening" must drain, not kill.
  const serving: { fn?: RunningFunction } = {};
  installSignalHandlers(async () => serving.fn?.stop(), { info: (msg) => serving.fn?.ctx.log.info(msg) });
  const fn = (serving.fn = await run(def, opts));
  installCrashHandlers(fn);
  return fn;
}
