/*
 * Kubernetes resource quantities for memory (`128Mi`, `1.5Gi`, `500M`, `134217728`, `129e6`): parse to bytes, format
 * back in the unit a human would write. Shared by the check that suggests a memory limit and the remediation that
 * reports it.
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3 };
const QUANTITY = /^([+]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m|[eE][+-]?\d+)?$/;

/**
 * Bytes of a memory quantity, or undefined when the text is not a positive quantity.
 *
 * @example
 * parseMemory('128Mi'); // → 134217728
 */
export function parseMemory(text: unknown): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text > 0 ? text : undefined;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const [, num, suffix = ''] = m;
  const factor = BINARY[suffix] ?? DECIMAL[suffix] ?? (/^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : undefined);
  const bytes = factor === undefined ? NaN : Number(num) * factor;
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}

/**
 * A byte count in the largest unit that writes it exactly (binary units first, as memory limits usually are).
 *
 * @example
 * formatMemory(268435456); // → '256Mi'
 * formatMemory(1e9); // → '1G'
 */
export function formatMemory(bytes: number): string {
  const whole = Math.ceil(bytes);
  for (const [unit, size] of [
    ...Object.entries(BINARY).reverse(),
    ...Object.entries(DECIMAL)
      .filter(([u]) => u !== 'm' && u !== '')
      .reverse()
  ]) {
    if (whole >= size && whole % size === 0) return `${whole / size}${unit}`;
  }
  return String(whole);
}

/**
 * Bytes as whole mebibytes, rounded up.
 *
 * @example
 * formatMi(200 * 1024 * 1024 + 1); // → '201Mi'
 */
export function formatMi(bytes: number): string {
  return `${Math.max(1, Math.ceil(bytes / BINARY.Mi!))}Mi`;
}
