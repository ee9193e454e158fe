// Home page: every fund with its progress bar and headline figures.
import { t, lang } from './i18n.js';
import { money, percent } from './format.js';
import { api, fetchAll, fundPath } from './api.js';
import { el, $, setStatus } from './dom.js';
import { progressBar } from './progress.js';

function fundCard(fund, p) {
  const href = `/funds/${encodeURIComponent(fund.code)}`;
  return el('li', { class: 'card fund-card' },
    el('h2', {}, el('a', { href }, fund.name)),
    fund.organization ? el('p', { class: 'org' }, fund.organization) : null,
    progressBar(p),
    el('dl', { class: 'figures compact' },
      el('div', { class: 'figure figure-paid' }, el('dt', {}, t('fund.paid')), el('dd', {}, money(p.paid))),
      el('div', { class: 'figure figure-pledged' }, el('dt', {}, t('fund.pledged')), el('dd', {}, money(p.pledged))),
      el('div', { class: 'figure' }, el('dt', {}, t('fund.target')), el('dd', {}, money(p.target))),
      el('div', { class: 'figure' }, el('dt', {}, t('fund.percent_paid')), el('dd', {}, percent(p.percent_paid)))),
    el('p', {}, el('a', { href, class: 'button' }, t('home.open_dashboard', { name: fund.name }))));
}

async function main() {
  try {
    // Issue 15: the funds' names in the page's language.
    const funds = await fetchAll('/funds', { lang });
    const progress = await Promise.all(funds.map((f) => api(`${fundPath(f.code)}/progress?lang=${lang}`)));
    $('#funds').replaceChildren(...funds.map((f, i) => fundCard(f, progress[i])));
    setStatus(funds.length ? '' : t('home.no_funds'));
    document.body.dataset.state = 'ready';
  } catch (err) {
    setStatus(t('common.load_failed', { message: err.message }), true);
    document.body.dataset.state = 'error';
  }
}

main();
