// The dashboard's "as of" date and its breakdown of what was paid by earmarking and by
// currency (issue 14). Kept apart from fund.js: it adds one section after the headline
// figures and, when a day is chosen, shows the headline figures as they stood that day
// (GET /progress?as_of=, /breakdown?as_of=).
import { t, tEnum } from './i18n.js';
import { money, percent, count, date } from './format.js';
import { api, fundPath } from './api.js';
import { el, $ } from './dom.js';
import { progressBar } from './progress.js';

const code = decodeURIComponent(location.pathname.split('/')[2] || '');
const base = fundPath(code);

function table(caption, headers, rows) {
  return el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption },
    el('table', { class: 'list' }, el('caption', {}, caption),
      el('thead', {}, el('tr', {}, headers.map(([h, cls]) => el('th', { scope: 'col', class: cls }, h)))),
      el('tbody', {}, rows)));
}

function showBreakdown(box, b) {
  const num = 'num';
  box.replaceChildren(
    table(t('breakdown.by_earmarking'), [[t('breakdown.earmarking')], [t('fund.paid'), num], [t('breakdown.share'), num]],
      b.by_earmarking.map((e) => el('tr', { dataset: { earmarking: e.earmarking, paid: e.paid } },
        el('td', {}, tEnum('earmarking', e.earmarking)), el('td', { class: num }, money(e.paid)), el('td', { class: num }, percent(e.share_of_paid_percent))))),
    table(t('breakdown.by_currency'), [[t('breakdown.currency')], [t('breakdown.amount'), num], [t('breakdown.in_usd'), num], [t('breakdown.share'), num]],
      b.by_currency.map((c) => el('tr', { dataset: { currency: c.currency, paid: c.paid_usd } },
        el('td', {}, c.currency), el('td', { class: num }, money(c.amount, c.currency)), el('td', { class: num }, money(c.paid_usd)),
        el('td', { class: num }, percent(c.share_of_paid_percent))))));
}

// showFigures writes the headline figures of a progress answer (as fund.js does).
function showFigures(p) {
  const figures = { target: money(p.target), paid: money(p.paid), pledged: money(p.pledged),
    outstanding: money(p.outstanding_pledges), 'percent-paid': percent(p.percent_paid), 'donor-count': count(p.donor_count) };
  for (const [id, text] of Object.entries(figures)) {
    const dd = $(`#fig-${id}`);
    if (dd) dd.textContent = text;
  }
  $('#progress')?.replaceChildren(progressBar(p));
  const asOf = $('#as-of');
  if (asOf) asOf.textContent = t('fund.as_of', { date: date(p.as_of) });
}

async function main() {
  const figures = $('#h-figures')?.closest('section');
  if (!figures || !code) return;
  // The server-rendered page has the section already (its space kept, so nothing moves);
  // a page rendered without the fund gets it here.
  if (!$('#breakdown-section')) {
    figures.after(el('section', { class: 'card', 'aria-labelledby': 'h-breakdown', id: 'breakdown-section' },
      el('h2', { id: 'h-breakdown' }, t('breakdown.heading')),
      el('div', { class: 'field' }, el('label', { for: 'as-of-date' }, t('breakdown.as_of')),
        el('input', { id: 'as-of-date', type: 'date', name: 'as_of' }),
        el('button', { type: 'button', id: 'as-of-today' }, t('breakdown.today'))),
      el('div', { class: 'breakdown', id: 'breakdown', 'aria-live': 'polite' })));
  }
  const input = $('#as-of-date');
  const reset = $('#as-of-today');
  const box = $('#breakdown');
  async function load(day) {
    box.dataset.state = 'loading';
    try {
      const q = day ? `?as_of=${encodeURIComponent(day)}` : '';
      const [b, p] = await Promise.all([api(`${base}/breakdown${q}`), day ? api(`${base}/progress${q}`) : null]);
      showBreakdown(box, b);
      if (p) showFigures(p);
      box.dataset.state = 'ready';
      box.dataset.asOf = b.as_of;
    } catch (err) {
      box.replaceChildren(el('p', { class: 'form-error' }, t('common.load_failed', { message: err.message })));
      box.dataset.state = 'error';
    }
  }
  input.addEventListener('change', () => load(input.value));
  reset.addEventListener('click', async () => {
    input.value = '';
    await load('');
    const p = await api(`${base}/progress`).catch(() => null);
    if (p) showFigures(p);
  });
  await load('');
}

main();
