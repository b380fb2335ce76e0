import { clock, h } from './dom.js';

// The operator's approvals (DESIGN §12): each pending request of the approvals function as a card with its dry-run
// diff, and Approve / Deny buttons that post the decision with the operator token. Requests arrive live on the
// operator stream (dev.cortex.approval.requested); decisions and healing ends close them. GET /approvals fills in
// what was pending before the page opened.

const show = (v) => (v === undefined ? '∅' : JSON.stringify(v));

/** One diff operation as a line: `path: from → to`. */
function diffLine(d) {
  if (d.op === 'remove') return `- ${d.path}${d.from !== undefined ? ` (was ${show(d.from)})` : ''}`;
  if (d.op === 'add') return `+ ${d.path}: ${show(d.value)}`;
  return `~ ${d.path}: ${show(d.from)} → ${show(d.value)}`;
}

export function createApprovals({ list, empty }) {
  const cards = new Map();
  let token;

  const refresh = () => (empty.hidden = [...cards.values()].some((c) => c.dataset.state === 'pending'));

  function close(id, state, text) {
    const c = cards.get(id);
    if (!c || c.dataset.state !== 'pending') return;
    c.dataset.state = state;
    c.querySelector('.decision').textContent = text;
    for (const el of c.querySelectorAll('button, input')) el.disabled = true;
    refresh();
  }

  async function decide(a, decision, reasonInput, result) {
    const reason = reasonInput.value.trim();
    if (decision === 'deny' && !reason) return void (result.textContent = 'A denial needs a reason.');
    result.textContent = decision === 'approve' ? 'Approving…' : 'Denying…';
    try {
      const res = await fetch(`approvals/${encodeURIComponent(a.approvalId)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ decision, reason, by: 'page' })
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) return void (result.textContent = `Not taken: ${body?.error?.message ?? `HTTP ${res.status}`}`);
      close(
        a.approvalId,
        decision === 'approve' ? 'approved' : 'denied',
        `${decision === 'approve' ? 'Approved' : 'Denied'} at ${clock()}`
      );
      result.textContent = '';
    } catch {
      result.textContent = 'Could not reach the approvals service.';
    }
  }

  function add(a) {
    if (cards.has(a.approvalId)) return;
    const reason = h('input', {
      type: 'text',
      placeholder: 'Reason (required to deny)',
      'aria-label': 'Reason',
      'data-testid': 'approval-reason'
    });
    const result = h('p', { class: 'status', role: 'status' });
    const card = h(
      'li',
      {
        class: 'approval',
        'data-testid': 'approval',
        'data-approval-id': a.approvalId,
        'data-healing-id': a.healingId,
        'data-state': 'pending'
      },
      h(
        'p',
        {},
        h('strong', {}, `${a.action} on ${a.target.namespace}/${a.target.service}`),
        ` · expires ${clock(new Date(a.expiresAt))}`
      ),
      h('p', { class: 'hint' }, a.why),
      h('p', { class: 'hint' }, a.reason),
      h(
        'pre',
        { class: 'diff', 'data-testid': 'approval-diff' },
        [`${a.object}:`, ...(a.diff ?? []).map(diffLine)].join('\n')
      ),
      reason,
      h(
        'div',
        { class: 'buttons' },
        h(
          'button',
          { type: 'button', 'data-testid': 'approve', onclick: () => decide(a, 'approve', reason, result) },
          'Approve'
        ),
        h(
          'button',
          { type: 'button', class: 'secondary', 'data-testid': 'deny', onclick: () => decide(a, 'deny', reason, result) },
          'Deny'
        )
      ),
      h('p', { class: 'decision', 'data-testid': 'approval-decision' }),
      result
    );
    cards.set(a.approvalId, card);
    list.prepend(card);
    refresh();
  }

  return {
    /** Starts with the operator token: what is pending now. */
    async start(value) {
      token = value;
      try {
        const res = await fetch('approvals', { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
        if (res.ok) for (const a of (await res.json()).approvals ?? []) add(a);
      } catch {
        // No approvals service here: requests still arrive on the operator stream.
      }
    },
    /** Every CloudEvent of the operator stream passes here. */
    onEvent(ce) {
      const d = ce.data ?? {};
      if (ce.type === 'dev.cortex.approval.requested') add(d);
      else if (ce.type === 'dev.cortex.approval.decided')
        close(
          d.approvalId,
          d.decision === 'approve' ? 'approved' : 'denied',
          `${d.decision === 'approve' ? 'Approved' : 'Denied'} by ${d.decidedBy}`
        );
      else if (ce.type === 'dev.cortex.healing.completed' || ce.type === 'dev.cortex.healing.failed')
        for (const [id, c] of cards)
          if (c.dataset.healingId === d.healingId || id.startsWith(`${d.healingId}:`))
            close(id, 'closed', 'The healing ended.');
    }
  };
}
