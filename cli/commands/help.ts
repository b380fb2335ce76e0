import { APPROVALS_USAGE, APPROVE_USAGE, DENY_USAGE } from './approvals.js';
import { KN_USAGE } from './kn.js';
import { REPLAY_USAGE } from './replay.js';
import { SEND_USAGE } from './send.js';
import { TAIL_USAGE } from './tail.js';

export const USAGES: Record<string, string> = {
  tail: TAIL_USAGE,
  send: SEND_USAGE,
  replay: REPLAY_USAGE,
  kn: KN_USAGE,
  approvals: APPROVALS_USAGE,
  approve: APPROVE_USAGE,
  deny: DENY_USAGE
};

export const OVERVIEW = `cortex: see, record and replay what Cortex does

  cortex tail [--session id] [--save file.jsonl]       follow every CloudEvent on the relay's operator stream
  cortex send error --target <ns>/<service> [...]      report a failing workload (starts a healing)
  cortex replay <file.jsonl> [--new-ids] [--dry-run]   re-send recorded events to the broker
  cortex kn <file.jsonl>                               print the kn event send commands for recorded events
  cortex approvals [--all]                             list the actions waiting for a human's approval
  cortex approve <id> [--reason text]                  approve one (applied if the target did not move)
  cortex deny <id> --reason <text>                     deny one (the healing ends approval_denied)
  cortex help [command]                                this text, or one command's

Defaults come from the running local stack (.cortex/local.json); flags and K_SINK, CORTEX_RELAY_URL,
CORTEX_APPROVALS_URL, CORTEX_OPERATOR_TOKEN point the CLI at a cluster. Exit codes: 0 ok, 1 failure, 2 usage error.`;

/** `cortex help [command]`: the overview, or one command's usage. */
export function helpText(command: string | undefined): string | undefined {
  if (command === undefined) return OVERVIEW;
  return USAGES[command];
}
