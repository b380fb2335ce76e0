/*
 * Memory quantities (Kubernetes resource.Quantity as written in manifests) and the limit we suggest after an
 * OOMKilled: double the current limit, or twice the request when there is no limit, rounded up to whole Mi.
 */

const MI = 1024 * 1024;

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: MI,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6
};

/** Used when a container has neither a memory limit nor a request to start from. */
export const DEFAULT_SUGGESTED_LIMIT = '512Mi';

/**
 * Bytes of a memory quantity (`128Mi`, `1.5Gi`, `500M`, `129e6`, `134217728`), or undefined if it is not one.
 *
 * @example
 * parseMemory('128Mi'); // → 134217728
 */
export function parseMemory(q: string | number | undefined): number | undefined {
  if (q === undefined) return undefined;
  if (typeof q === 'number') return Number.isFinite(q) && q >= 0 ? q : undefined;
  const m = /^\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+)\s*([a-zA-Z]{0,2})\s*$/.exec(q);
  if (!m) return undefined;
  const factor = SUFFIX[m[2]!];
  const bytes = factor === undefined ? NaN : Number(m[1]) * factor;
  return Number.isFinite(bytes) && bytes >= 0 ? bytes : undefined;
}

/**
 * Bytes as whole mebibytes, rounded up: `134217728` → `128Mi`.
 *
 * @example
 * formatMi(200 * 1024 * 1024 + 1); // → '201Mi'
 */
export function formatMi(bytes: number): string {
  return `${Math.max(1, Math.ceil(bytes / MI))}Mi`;
}

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
