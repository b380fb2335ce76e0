import type { Scenario } from '../scenario.js';
import { crashLooping, MCP_DEMO, mutatingBut, MUTATING, optIn, POSTGRES, scale, single } from './build.js';

/*
 * Root cause across services: mcp-demo cannot start without postgres (`sim.cortex.dev/depends-on=postgres:5432`).
 * Scale postgres to zero and mcp-demo crash-loops; the report is for mcp-demo. Opted in, postgres is healed first by
 * its own healing and mcp-demo is never restarted before postgres is back; not opted in, the outcome names postgres
 * and the command, and nothing changes.
 */

const postgresDown = [scale(POSTGRES, 0), crashLooping(MCP_DEMO)];

export const DEPENDENCY_SCENARIOS: Scenario[] = [
  single(
    'dependency/postgres-down',
    'postgres scaled to zero, mcp-demo crash-loops: postgres healed first, then mcp-demo; root cause demo/postgres',
    MCP_DEMO,
    postgresDown,
    {
      outcome: 'healed',
      actions: [],
      // A restart of mcp-demo once postgres is back skips its crash back-off; never before (rootCause checks the order).
      optional: ['restart_pods'],
      forbidden: mutatingBut('restart_pods'),
      says: 'demo/postgres was down',
      rootCause: { object: 'demo/postgres', workload: POSTGRES, after: { replicas: 1 } }
    },
    { writes: { max: 2 }, timeLimitMs: 60_000 }
  ),
  single(
    'dependency/postgres-not-opted-in',
    'the same with postgres not opted in: failed naming postgres with the command to fix it, nothing changed',
    MCP_DEMO,
    [optIn(POSTGRES, false), ...postgresDown],
    {
      outcome: 'failed',
      actions: [],
      forbidden: [...MUTATING],
      says: 'dependency demo/postgres',
      steps: '^kubectl scale deployment/postgres -n demo --replicas=1$',
      rootCause: { object: 'demo/postgres', workload: POSTGRES, after: { replicas: 0 } }
    },
    { writes: { max: 0 } }
  )
];
