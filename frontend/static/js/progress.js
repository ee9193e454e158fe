// The progress bar to target: paid and pledged-but-unpaid as two segments.
import { t } from './i18n.js';
import { money, percent } from './format.js';
import { el } from './dom.js';

// Segment widths are drawing coordinates (CSS percentages), the one place a Number is fine.
const width = (pct) => `${Math.min(100, Math.max(0, Number(pct) || 0))}%`;

export function progressBar(p) {
  const unpaidPct = (Number(p.percent_pledged) || 0) - (Number(p.percent_paid) || 0);
  const paid = el('span', { class: 'bar-paid' });
  const pledged = el('span', { class: 'bar-pledged' });
  paid.style.width = width(p.percent_paid);
  pledged.style.width = width(Math.min(unpaidPct, 100 - (Number(p.percent_paid) || 0)));
  const summary = t('progress.summary', {
    paid: money(p.paid), pledged: money(p.pledged), target: money(p.target),
    percent_paid: percent(p.percent_paid), percent_pledged: percent(p.percent_pledged),
  });
  return el('div', { class: 'progress' },
    el('div', { class: 'bar', role: 'img', 'aria-label': summary }, paid, pledged),
    el('ul', { class: 'legend' },
      el('li', { class: 'legend-paid' }, t('progress.paid', { percent: percent(p.percent_paid) })),
      el('li', { class: 'legend-pledged' }, t('progress.pledged', { percent: percent(p.percent_pledged) })),
      el('li', { class: 'legend-target' }, t('progress.target', { target: money(p.target) }))));
}
