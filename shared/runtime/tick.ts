import { sourceOf } from '../events/envelope.js';
import type { AnyFunctionDef, RouteCtx } from './define-function.js';
import { TransientError } from './errors.js';

/**
 * Runs a function's declared tick every `everyMs` while the process lives, and publishes what each run produced, one
 * batch per key, caused by `<tick id>:<key>` so two keys ticked at once never share event ids. A run still going
 * when the next is due is not doubled. Stops on shutdown.
 *
 * @example
 * startTick(def, routeCtx); // def.tick = { everyMs: (deps) => 1000, run: (ctx, tickId) => … }
 */
export function startTick(def: AnyFunctionDef, ctx: RouteCtx): void {
  const tick = def.tick;
  if (!tick) return;
  const everyMs = tick.everyMs(ctx.deps);
  if (!(everyMs > 0)) return;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const tickId = `tick-${ctx.clock.now().toISOString()}`;
    void tick
      .run(ctx, tickId)
      .then((batches) =>
        Promise.all(
          batches.map((b) =>
            ctx.publish(b.intents, { id: `${tickId}:${b.key}`, source: sourceOf(def.name), traceparent: b.traceparent })
          )
        )
      )
      // A dependency that is down (Redis) says so once on its own; a failed tick per second would only repeat it.
      .catch((err: unknown) =>
        err instanceof TransientError ? ctx.log.debug({ err }, 'tick skipped') : ctx.log.error({ err }, 'tick failed')
      )
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  ctx.onShutdown(() => clearInterval(timer));
}
