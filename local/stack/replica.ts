import { isFunctionName, loadFunction } from '../../functions/index.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { serveProcess } from '../../shared/runtime/process.js';

/*
 * One replica of one function as its own OS process, as a pod runs it (signals, crash handlers, graceful stop): the
 * local stack's CORTEX_REPLICAS starts this file per replica and learns its address over the IPC channel. When the
 * stack goes away (the channel closes), the replica drains and exits like a pod being deleted.
 */

const config = loadConfig();
if (!config.function || !isFunctionName(config.function)) throw new Error(`not a Cortex function: ${config.function}`);
const fn = await serveProcess(await loadFunction(config.function), { config });
// Started by hand (no channel) it just serves; started by a stack that is gone already, it drains and exits.
if (process.connected) process.send!({ kind: 'listening', url: fn.url, pid: process.pid });
else if (process.send) process.kill(process.pid, 'SIGTERM');
process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
