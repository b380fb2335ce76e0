/*
 * The memory limit we suggest after an OOMKilled: double the current limit, or twice the request when there is no
 * limit, rounded up to whole Mi. Quantities are parsed by shared/kube/quantity.ts.
 */

import { formatMi, parseMemory } from '../kube/quantity.js';

/** Used when a container has neither a memory limit nor a request to start from. */
export const DEFAULT_SUGGESTED_LIMIT = '512Mi';

export interface LimitSuggestion {
  /** The limit as written in the spec, or undefined when the container has none. */
  currentLimit: string | undefined;
  suggestedLimit: string;
  /** How the suggestion was derived, for a human. */
  basis: string;
}

/**
 * A memory limit to suggest for a container that was OOMKilled.
 *
 * @example
 * suggestLimit({ limit: '128Mi', request: '64Mi' }); // → { currentLimit: '128Mi', suggestedLimit: '256Mi', basis: 'double the current limit 128Mi' }
 */
export function suggestLimit(resources: { limit?: string | number; request?: string | number }): LimitSuggestion {
  const limit = parseMemory(resources.limit);
  const request = parseMemory(resources.request);
  const currentLimit = resources.limit === undefined ? undefined : String(resources.limit);
  if (limit !== undefined && limit > 0) {
    return { currentLimit, suggestedLimit: formatMi(limit * 2), basis: `double the current limit ${currentLimit}` };
  }
  if (request !== undefined && request > 0) {
    return {
      currentLimit,
      suggestedLimit: formatMi(request * 2),
      basis: `no limit set: twice the request ${String(resources.request)}`
    };
  }
  return {
    currentLimit,
    suggestedLimit: DEFAULT_SUGGESTED_LIMIT,
    basis: `no limit or request set: a starting point of ${DEFAULT_SUGGESTED_LIMIT}`
  };
}
