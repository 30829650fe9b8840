import { escapeHtml, layout } from './html.js';
import type { StatusReport } from './ratings-source.js';

/** How often the status page asks for `/status.json`. */
export const STATUS_POLL_MS = 1_000;

/**
 * `/status`: the ratings instances, their color, health in Consul and breakers, and the active color in force
 * (blue/green), refreshed every second.
 */
export function renderStatusPage(initial: StatusReport): string {
  // `<` is escaped so the JSON cannot close the script element.
  const json = JSON.stringify(initial).replace(/</g, '\\u003c');
  const body = `
<h1>Status</h1>
<p class="sub">Every ratings instance the market knows of, as Consul and the market's circuit breakers see it. Updates every second.</p>
<div id="status" aria-live="polite"></div>
<p class="muted">Raw: <a href="/status.json">/status.json</a> · <a href="/metrics">/metrics</a> · <span id="updated"></span></p>
<script id="initial" type="application/json">${json}</script>
<script>
const pill = (text, cls) => '<span class="pill ' + cls + '">' + esc(text) + '</span>';
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'})[c]);
const healthClass = (h) => h === 'passing' ? 'ok' : h === 'warning' ? 'mid' : h === 'gone' ? 'none' : 'bad';
const breakerClass = (b) => b === 'CLOSED' ? 'ok' : b === 'HALF_OPEN' ? 'mid' : b === 'OPEN' ? 'bad' : 'none';
function render(report) {
  let html = '';
  if (report.mode === 'monolith') {
    html = '<div class="notice">Monolith mode: the market does not call ratings. Start it with <code>make add-ratings</code>.</div>';
  } else {
    if (report.consul && !report.consul.reachable) html += '<div class="warn">Consul at ' + esc(report.consul.url) + ' does not answer: ' + esc(report.consul.error || '') + '</div>';
    const active = report.activeColor;
    // an instance of another color than the active one gets no calls, passing or not
    const routed = (i) => !active || active.color === null || i.color === active.color;
    if (active) {
      const passing = report.instances.filter((i) => i.health === 'passing');
      const unmatched = active.color !== null && passing.length > 0 && !passing.some(routed);
      html += '<p data-testid="active-color">Active color: ' + (active.color === null
        ? '<strong>none</strong>: every passing instance gets calls'
        : pill(active.color, unmatched ? 'bad' : 'ok') + ': only ' + esc(active.color) + ' instances get calls') + ' (Consul KV <code>' + esc(active.key) + '</code>)</p>';
      if (unmatched) {
        html += '<div class="warn" data-testid="active-color-unmatched">No passing instance is ' + esc(active.color) + ': every ratings call fails. Cut over to a color that runs (<code>make cutover SERVICE=ratings COLOR=' + esc(passing[0].color || 'none') + '</code>) or to none (<code>make cutover SERVICE=ratings COLOR=none</code>).</div>';
      }
    }
    if (report.instances.length === 0) html += '<div class="warn">No ratings instance is registered. Try <code>make startRatings COUNT=3</code>.</div>';
    else {
      html += '<table><thead><tr><th>Instance</th><th title="ratings using instance N: the number the market\u2019s log gives it">In the log</th><th>Address</th><th>Version</th><th title="grey: not the active color, gets no calls">Color</th><th>Consul health</th><th>Breaker</th><th>Calls</th></tr></thead><tbody>';
      for (const i of report.instances) {
        const calls = Object.entries(i.calls).map(([k, v]) => esc(k) + ' ' + esc(v)).join(' · ') || '—';
        const color = i.color ? pill(i.color, routed(i) ? 'ok' : 'none') : (routed(i) ? '—' : pill('no color', 'none'));
        html += '<tr data-instance="' + esc(i.id) + '" data-routed="' + routed(i) + '"><td>' + esc(i.id) + '</td><td>' + (i.logNumber ? 'instance ' + esc(i.logNumber) : '—') + '</td><td><code>' + esc(i.address) + '</code></td><td>' + esc(i.version || '?') + '</td><td>' + color + '</td><td>' + pill(i.health, healthClass(i.health)) + '</td><td>' + pill(i.breaker, breakerClass(i.breaker)) + '</td><td>' + calls + '</td></tr>';
      }
      html += '</tbody></table>';
    }
    const last = Object.entries(report.lastRatings);
    if (last.length) html += '<h2>Last ratings</h2><p>' + last.map(([t, r]) => esc(t) + ': ' + '★'.repeat(r.stars) + ' (ratings-' + esc(r.instance ?? '?') + ')').join(' · ') + '</p>';
  }
  document.getElementById('status').innerHTML = html;
  document.getElementById('updated').textContent = 'updated ' + new Date(report.updatedAt).toLocaleTimeString();
}
render(JSON.parse(document.getElementById('initial').textContent));
setInterval(async () => {
  try { const res = await fetch('/status.json', { cache: 'no-store' }); if (res.ok) render(await res.json()); }
  catch { document.getElementById('updated').textContent = 'market not answering'; }
}, ${STATUS_POLL_MS});
</script>
<noscript><pre>${escapeHtml(JSON.stringify(initial, null, 2))}</pre></noscript>`;
  return layout('Market status', body);
}
