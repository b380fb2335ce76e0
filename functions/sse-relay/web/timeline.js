import { clock, h, notice } from './dom.js';

// The live healing timeline: one card per healingId, one step per event, rendered once per event id even when a
// reconnect replays events the page already has.

const STAGE = {
  diagnose: 'Diagnosis',
  remediate: 'Remediation',
  verify: 'Verification',
  dependency: 'Dependency',
  approval: 'Approval',
  rollback: 'Rollback',
  joined: 'Joined'
};
/** What a failed healing's card says, by its reason code (the catalog's ReasonCode); anything else needs a human. */
const FAILED_LABELS = {
  escalated: 'escalated to a human',
  denied: 'denied by the guardrails',
  manual: 'needs a human',
  no_fix: 'no automatic fix',
  not_found: 'workload not found',
  timeout: 'no answer in time',
  verify_failed: 'still unhealthy',
  rolled_back: 'rolled back',
  approval_denied: 'approval denied',
  approval_expired: 'approval expired',
  dependency_down: 'a dependency is down',
  repeat_suppressed: 'fix already tried'
};
const NAMES = ['healing_start', 'healing_progress', 'healing_complete', 'healing_failed', 'healing_explained'];

function stepText(name, d) {
  switch (name) {
    case 'healing_start':
      return ['Started', d.checks?.length ? `Running ${d.checks.length} checks: ${d.checks.join(', ')}` : ''];
    // The outcome box below the steps carries the message of the last two.
    case 'healing_complete':
      return [`Healed${d.durationMs ? ` in ${(d.durationMs / 1000).toFixed(1)} s` : ''}`, ''];
    case 'healing_failed':
      return ['Needs a human', ''];
    default: {
      const label = STAGE[d.stage] ?? d.stage;
      const detail = d.check
        ? `${d.check}: ${d.verdict ?? 'reported'}`
        : d.action
          ? `${d.action}: ${typeof d.outcome === 'string' ? d.outcome : 'requested'}`
          : '';
      const count = d.total ? ` (${d.done}/${d.total})` : '';
      return [`${label}${count}${detail ? ` · ${detail}` : ''}`, d.message];
    }
  }
}

function stepClass(name, d) {
  if (name === 'healing_complete') return 'step ok';
  if (name === 'healing_failed') return 'step bad';
  if (d.verdict) return `step verdict-${d.verdict}`;
  if (typeof d.outcome === 'string') return `step outcome-${d.outcome}`;
  return 'step';
}

/** Orders relay ids (`<ms>-<seq>`, Redis stream entry ids) by number; an id missing or of another shape sorts last. */
export function compareIds(a, b) {
  const parse = (id) =>
    /^(\d+)-(\d+)$/
      .exec(id ?? '')
      ?.slice(1)
      .map(BigInt);
  const [x, y] = [parse(a), parse(b)];
  if (!x || !y) return x ? -1 : y ? 1 : 0;
  return x[0] !== y[0] ? (x[0] < y[0] ? -1 : 1) : x[1] === y[1] ? 0 : x[1] < y[1] ? -1 : 1;
}

export function createTimeline({ container, empty, note }) {
  const seen = new Set();
  const cards = new Map();

  function card(d) {
    let c = cards.get(d.healingId);
    if (c) return c;
    const title = h(
      'h3',
      { id: `title-${d.healingId}` },
      d.target ? `${d.target.namespace}/${d.target.service}` : d.service || 'unknown service'
    );
    const state = h('span', { class: 'state', 'data-testid': 'healing-state' }, 'healing…');
    const issue = h('p', { class: 'issue' });
    const steps = h('ol', { class: 'steps', 'aria-label': 'Steps' });
    const outcome = h('div', { class: 'outcome', 'data-testid': 'healing-outcome', hidden: true });
    const explanation = h('div', { class: 'explanation', 'data-testid': 'healing-explanation', hidden: true });
    const root = h(
      'article',
      {
        class: 'healing',
        'data-testid': `healing-${d.healingId}`,
        'data-state': 'running',
        'aria-labelledby': title.id,
        tabindex: '0'
      },
      h('header', {}, title, state),
      issue,
      steps,
      outcome,
      explanation,
      h('p', { class: 'id' }, `healing ${d.healingId}`)
    );
    c = { root, state, issue, steps, outcome, explanation };
    cards.set(d.healingId, c);
    container.prepend(root);
    empty.hidden = true;
    return c;
  }

  function finish(c, name, d) {
    const healed = name === 'healing_complete';
    c.root.dataset.state = healed ? 'healed' : 'failed';
    if (!healed && d.reasonCode) c.root.dataset.reason = d.reasonCode;
    c.state.textContent = healed ? 'healed' : (FAILED_LABELS[d.reasonCode] ?? 'needs a human');
    const steps = d.manualSteps ?? [];
    const parts = [h('p', { class: 'summary' }, d.message)];
    if (healed && d.actions?.length) parts.push(h('p', {}, `Actions: ${d.actions.join(', ')}`));
    if (d.rolledBack) {
      // A fix that made things worse was undone: say what the rollback changed (DESIGN §12).
      const undone = (d.undone ?? []).map((u) =>
        h('li', {}, h('code', {}, `${u.verb} ${u.object}`), u.detail ? ` ${u.detail}` : '')
      );
      parts.push(h('h4', {}, 'Rolled back'), h('ul', { class: 'undone', 'data-testid': 'undone' }, undone));
    }
    if (!healed && steps.length) {
      const list = h(
        'ol',
        { class: 'manual', 'data-testid': 'manual-steps' },
        steps.map((s) => h('li', {}, h('code', {}, s)))
      );
      parts.push(h('h4', {}, 'What to do by hand'), list);
    }
    c.outcome.replaceChildren(...parts);
    c.outcome.hidden = false;
  }

  /** The explanation under the healing: root cause, next step, who wrote it and how much was redacted first. */
  function explain(c, d) {
    const by = d.model === 'none' ? 'written from the findings alone' : `explained by ${d.model}`;
    const redacted = d.redactions ? `, ${d.redactions} value${d.redactions === 1 ? '' : 's'} redacted before it` : '';
    c.explanation.replaceChildren(
      h('h4', {}, 'Why'),
      h('p', { class: 'summary', 'data-testid': 'explanation-summary' }, d.summary),
      d.nextStep ? h('p', { class: 'next' }, h('strong', {}, 'Next step: '), d.nextStep) : null,
      h('p', { class: 'by', 'data-testid': 'explanation-by' }, `${by}${redacted}`)
    );
    c.explanation.dataset.model = d.model;
    c.explanation.hidden = false;
  }

  /** Renders one relay event; returns false when its id was already rendered. */
  function apply(name, d, id) {
    if (id && seen.has(id)) return false;
    if (id) seen.add(id);
    const c = card(d);
    if (name === 'healing_explained') return (explain(c, d), true);
    if (name === 'healing_start' && d.issue) c.issue.textContent = d.issue;
    const [head, body] = stepText(name, d);
    const step = h(
      'li',
      { class: stepClass(name, d), 'data-event-id': id, 'data-event': name },
      h('span', { class: 'when' }, clock()),
      h('strong', {}, head),
      body ? h('span', { class: 'detail' }, body) : null
    );
    // Keep steps in relay order even if a replay fills a gap.
    const after = [...c.steps.children].find((li) => compareIds(li.dataset.eventId, id) > 0);
    c.steps.insertBefore(step, after ?? null);
    if (name === 'healing_complete' || name === 'healing_failed') finish(c, name, d);
    return true;
  }

  return {
    names: NAMES,
    apply,
    resync: (d) =>
      notice(
        note,
        `Some events were missed while disconnected (after id ${d.missedAfter}); showing what the relay still has.`
      ),
    size: () => seen.size
  };
}
