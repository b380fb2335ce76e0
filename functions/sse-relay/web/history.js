import { h, notice } from './dom.js';

// The History view: past healings from healing-history (`GET healings`, operator token, at the front door): a table
// (target, reason, outcome, time to heal, actions, when) and a small chart of time to heal over time. The token is the
// operator log's, kept for this tab; without one the view asks for it.

const TOKEN_KEY = 'cortex.operatorToken';
const SVG = 'http://www.w3.org/2000/svg';

const seconds = (ms) => (typeof ms === 'number' ? `${(ms / 1000).toFixed(1)} s` : '–');
const when = (iso) => (iso ? new Date(iso).toLocaleString([], { dateStyle: 'short', timeStyle: 'medium' }) : '–');

function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Time to heal of each healed healing, oldest first, as a line over dots; the highest value labels the axis. */
export function chart(healings, { width = 320, height = 90 } = {}) {
  const points = healings
    .filter((x) => x.outcome === 'healed' && typeof x.timeToHealMs === 'number' && x.startedAt)
    .map((x) => ({ t: Date.parse(x.startedAt), ms: x.timeToHealMs, id: x.healingId }))
    .sort((a, b) => a.t - b.t);
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'tth-chart',
    role: 'img',
    'data-testid': 'history-chart',
    'data-points': points.length
  });
  const title = svg('title');
  title.textContent = `Time to heal of ${points.length} healed healing${points.length === 1 ? '' : 's'}, oldest first`;
  root.append(title);
  if (points.length === 0) return root;
  const max = Math.max(...points.map((p) => p.ms), 1);
  const pad = 14;
  const x = (i) => (points.length === 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (points.length - 1));
  const y = (ms) => height - pad - (ms / max) * (height - 2 * pad);
  root.append(svg('line', { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, class: 'axis' }));
  root.append(svg('polyline', { points: points.map((p, i) => `${x(i)},${y(p.ms)}`).join(' '), class: 'line' }));
  points.forEach((p, i) => {
    const dot = svg('circle', { cx: x(i), cy: y(p.ms), r: 3, class: 'dot' });
    const t = svg('title');
    t.textContent = `${p.id}: ${seconds(p.ms)}`;
    dot.append(t);
    root.append(dot);
  });
  const label = svg('text', { x: pad, y: 10, class: 'max' });
  label.textContent = `max ${seconds(max)}`;
  root.append(label);
  return root;
}

function row(x) {
  return h(
    'tr',
    { 'data-testid': 'history-row', 'data-healing-id': x.healingId, 'data-outcome': x.outcome },
    h('td', {}, x.target ?? '–'),
    h('td', { class: 'reason' }, x.reason || '–', x.explanation ? h('p', { class: 'explained' }, x.explanation) : null),
    h('td', { class: `outcome-${x.outcome}` }, x.outcome),
    h('td', {}, x.outcome === 'healed' ? seconds(x.timeToHealMs) : '–'),
    h('td', {}, x.actions.length ? x.actions.join(', ') : '–'),
    h('td', {}, when(x.startedAt))
  );
}

export function startHistory({ panel, table, chartBox, status, form, input, refresh }) {
  const token = () => sessionStorage.getItem(TOKEN_KEY) ?? '';
  async function load() {
    if (!token()) {
      form.hidden = false;
      return notice(status, 'The history is for operators: enter the operator token.');
    }
    let res;
    try {
      res = await fetch('healings?limit=200', { headers: { authorization: `Bearer ${token()}` }, cache: 'no-store' });
    } catch {
      return notice(status, 'The history is not reachable.');
    }
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      form.hidden = false;
      return notice(status, 'Operator token refused: enter it again.');
    }
    if (!res.ok) return notice(status, `The history answered HTTP ${res.status}.`);
    form.hidden = true;
    const { healings } = await res.json();
    table.replaceChildren(...healings.map(row));
    chartBox.replaceChildren(chart(healings));
    panel.dataset.count = String(healings.length);
    notice(status, healings.length === 0 ? 'No healing recorded yet.' : `${healings.length} healings, newest first.`);
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    input.value = '';
    void load();
  });
  refresh.addEventListener('click', () => void load());
  return { load };
}
