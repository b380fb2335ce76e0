import type { ErrorCategory, ReportedTarget, Target } from '../../shared/events/schemas.js';
import { K8sName } from '../../shared/events/schemas.js';

/** What intake makes of a report: heal this target, or record it and why not. */
export type Classification = { heal: true; target: Target } | { heal: false; reason: string };

/** Categories that say something is wrong with a cluster workload (the MCP server) or with one of our functions. */
const WORKLOAD_CATEGORIES: ReadonlySet<ErrorCategory> = new Set([
  'mcp_unreachable',
  'mcp_timeout',
  'mcp_http_error',
  'mcp_tool_error',
  'uncaught_exception',
  'unhandled_rejection'
]);

/**
 * Finds the Service behind a target: given explicitly, or read from a cluster DNS name in its URL
 * (`http://<service>.<namespace>.svc[.cluster.local][:port]/…`).
 */
export function resolveTarget(target: ReportedTarget | undefined): Target | undefined {
  if (!target) return undefined;
  if (target.namespace && target.service)
    return { namespace: target.namespace, service: target.service, ...(target.url ? { url: target.url } : {}) };
  if (!target.url) return undefined;
  let host: string;
  try {
    host = new URL(target.url).hostname;
  } catch {
    return undefined;
  }
  const [service, namespace, svc] = host.split('.');
  if (!service || !namespace || (svc !== undefined && svc !== 'svc')) return undefined;
  if (!K8sName.safeParse(service).success || !K8sName.safeParse(namespace).success) return undefined;
  return { namespace, service, url: target.url };
}

/**
 * Decides whether a report can be healed. Claude API failures (`llm_*`) are not a cluster fault: recorded, never
 * healed. A workload failure without a resolvable target has nothing to heal.
 */
export function classify(category: ErrorCategory, target: ReportedTarget | undefined): Classification {
  if (!WORKLOAD_CATEGORIES.has(category))
    return { heal: false, reason: `${category} is not a cluster fault: recorded, not healed` };
  const resolved = resolveTarget(target);
  if (!resolved)
    return { heal: false, reason: `${category} names no Kubernetes target (namespace and service, or a cluster URL)` };
  return { heal: true, target: resolved };
}
