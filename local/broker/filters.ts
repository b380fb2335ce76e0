import type { FilterExpression, Trigger } from './resources.js';

/*
 * Trigger filters, as knative/eventing evaluates them (pkg/eventfilter): case-sensitive, on context attributes and
 * extensions only, never on data. A filter on an attribute the event lacks does not match.
 *
 * - `spec.filter.attributes`: exact values, ANDed; `""` means "present with any value".
 * - `spec.filters`: a list of expressions, all of which must match. `exact`, `prefix` and `suffix` map attributes to
 *   values (every entry must match); `all`, `any` and `not` combine expressions. In this dialect `""` is a literal.
 * - If `filters` is set, `filter` is ignored. A Trigger with neither matches every event.
 * - `cesql` is not evaluated here: a Trigger that uses it anywhere never matches, and the broker warns once when it
 *   loads the Trigger (a silent "match everything" under a `not` would be worse).
 */

/** The attributes of an event as a filter sees them: name → canonical string form. */
export type Attributes = Readonly<Record<string, unknown>>;

export type Matcher = (attrs: Attributes) => boolean;

/** A compiled Trigger filter; `unsupported` says why it can never match, when it cannot. */
export interface CompiledFilter {
  matches: Matcher;
  unsupported?: string;
}

const valueOf = (attrs: Attributes, name: string): string | undefined => {
  const v = attrs[name];
  return v === undefined || v === null ? undefined : String(v);
};

const every =
  (map: Record<string, string>, test: (actual: string, expected: string) => boolean): Matcher =>
  (attrs) =>
    Object.entries(map).every(([name, expected]) => {
      const actual = valueOf(attrs, name);
      return actual !== undefined && test(actual, expected);
    });

function usesCesql(e: FilterExpression): boolean {
  if (e.cesql !== undefined) return true;
  const children = [...(e.all ?? []), ...(e.any ?? []), ...(e.not ? [e.not] : [])];
  return children.some(usesCesql);
}

/** Compiles one `spec.filters` expression. `cesql` compiles to "never" (see above). */
export function compileExpression(e: FilterExpression): Matcher {
  if (e.exact) return every(e.exact, (a, x) => a === x);
  if (e.prefix) return every(e.prefix, (a, x) => a.startsWith(x));
  if (e.suffix) return every(e.suffix, (a, x) => a.endsWith(x));
  if (e.all) {
    const parts = e.all.map(compileExpression);
    return (attrs) => parts.every((m) => m(attrs));
  }
  if (e.any) {
    const parts = e.any.map(compileExpression);
    return (attrs) => parts.some((m) => m(attrs));
  }
  if (e.not) {
    const inner = compileExpression(e.not);
    return (attrs) => !inner(attrs);
  }
  return () => false;
}

/** Compiles the legacy `spec.filter.attributes` map. */
export function compileAttributes(map: Record<string, string>): Matcher {
  return every(map, (actual, expected) => expected === '' || actual === expected);
}

/**
 * Compiles a Trigger's filter into a predicate over event attributes.
 *
 * @example
 * compileFilter({ filters: [{ prefix: { type: 'dev.cortex.healing.' } }] }).matches({ type: 'dev.cortex.healing.started' }); // → true
 */
export function compileFilter(spec: Pick<Trigger['spec'], 'filter' | 'filters'>): CompiledFilter {
  if (spec.filters !== undefined) {
    if (spec.filters.some(usesCesql)) {
      return { matches: () => false, unsupported: 'cesql filters are not evaluated by the local broker' };
    }
    const parts = spec.filters.map(compileExpression);
    return { matches: (attrs) => parts.every((m) => m(attrs)) };
  }
  const attributes = spec.filter?.attributes;
  return { matches: attributes ? compileAttributes(attributes) : () => true };
}
