/*
 * A small built-in knowledge base about Cortex itself, so the demo chat has something real to search. Scoring is plain
 * term overlap (title words count double): deterministic and good enough for a handful of documents.
 */

export interface Doc {
  readonly id: string;
  readonly title: string;
  readonly text: string;
}

export const DOCS: readonly Doc[] = [
  {
    id: 'overview',
    title: 'What Cortex is',
    text:
      'Cortex is an AI chat API: the chat calls Claude, and Claude calls tools served by MCP servers that run as ' +
      'Kubernetes workloads. When such a dependency fails (connection refused, timeout, HTTP 5xx, an MCP error) the ' +
      'system heals it without a human: detect, investigate, show progress, attempt a fix, verify and report.'
  },
  {
    id: 'healing-flow',
    title: 'How a healing runs',
    text:
      'The chat reports a failed tool call as dev.cortex.error.reported with the Kubernetes target. error-intake turns ' +
      'it into a healing request, the healing coordinator opens one healing per target (single flight), fans out ' +
      'diagnostic checks in parallel, picks a remediation from the findings, runs it, verifies pods and endpoints, and ' +
      'ends with healing.completed or healing.failed with manual steps.'
  },
  {
    id: 'checks',
    title: 'Diagnostic checks',
    text:
      'Each check is its own Knative function: check-pod-status, check-service-endpoints, check-pod-logs, ' +
      'check-deployment-config, check-resource-limits, check-network-policies, check-failed-pods and check-events. ' +
      'Each answers with a verdict (healthy, problem, inconclusive), evidence and at most one recommended action.'
  },
  {
    id: 'remediations',
    title: 'Remediations',
    text:
      'restart-pods for CrashLoopBackOff, scale-up when replicas are zero, rollout-restart when pods are ready but the ' +
      'Service has no endpoints, cleanup-failed-pods for Failed or Evicted pods. OOMKilled and image pull errors get a ' +
      'manual plan (report-oom suggests a memory limit, report-image-pull names the image) instead of a change.'
  },
  {
    id: 'guardrails',
    title: 'Guardrails on remediation',
    text:
      'Cortex acts only on workloads labelled cortex.dev/self-heal=enabled in allowed namespaces, never in kube-system ' +
      'or knative-*. CORTEX_REMEDIATION_MODE=dry-run reports what would change. At most three changes per target per ' +
      'fifteen minutes (healings that find nothing to fix do not count); past that the healing fails as escalated, so ' +
      'there is never an endless restart loop. A fix that did not heal a fault is not repeated for it, and a crash ' +
      'caused by a dependency that is down is healed there first.'
  },
  {
    id: 'sse',
    title: 'Live progress over SSE',
    text:
      'The sse-relay function streams the healing events of a chat session to the browser (healing_start, ' +
      'healing_progress, healing_complete, healing_failed, processing_delay) with Last-Event-ID resume from a bounded ' +
      'buffer. Operators can stream every dev.cortex event with an operator token.'
  },
  {
    id: 'claude-errors',
    title: 'Claude API errors',
    text:
      'Rate limits (429), overload (529), server errors and network failures of the Claude API are retried with ' +
      'backoff and shown to the user as processing_delay. They are not a cluster fault and start no healing.'
  },
  {
    id: 'local',
    title: 'Running Cortex locally',
    text:
      'npm start runs the whole system in one process: a Knative-compatible broker, every function, a simulated ' +
      'cluster, this demo MCP server behind a service proxy that follows the simulated Endpoints, an offline stand-in ' +
      'for the Claude API when no ANTHROPIC_API_KEY is set, and the web page.'
  }
];

const STOP = new Set([
  'a',
  'an',
  'and',
  'are',
  'does',
  'do',
  'for',
  'how',
  'in',
  'is',
  'it',
  'of',
  'on',
  'or',
  'the',
  'to',
  'what',
  'when',
  'with'
]);

const terms = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 1 && !STOP.has(t));

/** A document that matched, with its score (higher is better). */
export interface Hit {
  readonly doc: Doc;
  readonly score: number;
}

/** The best matches for a query, best first; documents sharing no term with the query are left out. */
export function searchDocs(query: string, limit = 3, docs: readonly Doc[] = DOCS): Hit[] {
  const wanted = new Set(terms(query));
  const hits = docs.map((doc) => {
    const title = terms(doc.title).filter((t) => wanted.has(t)).length;
    const body = terms(doc.text).filter((t) => wanted.has(t)).length;
    return { doc, score: title * 2 + body };
  });
  return hits
    .filter((h) => h.score > 0)
    .sort((a, b) => b.score - a.score || a.doc.id.localeCompare(b.doc.id))
    .slice(0, Math.max(1, limit));
}
