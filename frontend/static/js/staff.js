// The staff console: sign in, lists of pledges, contributions, donors and exchange rates
// (filtered, newest first, paged by the API's cursor), forms to add each, void and cancel
// with a reason, CSV exports. The session is the HttpOnly cookie the login sets.
import { ackColumn, ackActions } from './acknowledge.js';
import { linkActions } from './donorlinks.js';
import { t, tEnum } from './i18n.js';
import { money, formatDecimal, date, country, today, amountInput } from './format.js';
import { api, itemsOf, query, fetchAll, ApiError } from './api.js';
import { el, $, $$, setStatus } from './dom.js';
import { updateReportLinks } from './report-links.js';

const PAGE_SIZE = 25;
const USER_KEY = 'fundtracker.user';

// Records the option lists are made of, and lookups by id (ids are kept as the API sent them).
const data = { funds: [], donors: [], pledges: [] };
const byId = (kind, id) => data[kind].find((r) => String(r.id) === String(id));
const fundName = (id, row = {}) => byId('funds', id)?.name ?? row.fund_code ?? row.fund_name ?? id;
const donorName = (id, row = {}) => row.donor_name || byId('donors', id)?.name || id;
const isOpenPledge = (p) => !['cancelled', 'fulfilled'].includes(p.status);

const OPTION_LABELS = {
  funds: (f) => f.name,
  donors: (d) => (d.country_code ? `${d.name} (${d.country_code})` : d.name),
  pledges: (p) => t('staff.pledge.option', {
    donor: donorName(p.donor_id, p), fund: fundName(p.fund_id, p), date: date(p.pledged_on),
    amount: money(p.amount, p.currency), outstanding: money(p.outstanding, p.currency),
  }),
};

function fillSelects() {
  for (const select of $$('select[data-options]')) {
    const kind = select.dataset.options;
    const rows = kind === 'pledges' ? data.pledges.filter(isOpenPledge) : data[kind];
    const keep = select.value;
    select.replaceChildren(
      el('option', { value: '' }, select.dataset.empty),
      ...rows.map((r) => el('option', { value: String(r.id) }, OPTION_LABELS[kind](r))));
    select.value = rows.some((r) => String(r.id) === keep) ? keep : '';
  }
}

async function loadOptions() {
  [data.funds, data.donors, data.pledges] = await Promise.all(
    ['/funds', '/donors', '/pledges'].map((p) => fetchAll(p)));
  fillSelects();
}

// ---- lists -------------------------------------------------------------------------------

const filters = () => ({
  fund_id: $('#filter-fund').value,
  donor_id: $('#filter-donor').value,
  currency: $('#filter-currency').value.trim().toUpperCase(),
  acknowledgement: $('#filter-acknowledgement')?.value ?? '', // issue 15
});

// A cell with a main text and a quieter second line (the fund under the donor...).
const twoLines = (main, second) => [main, el('br'), el('small', { class: 'secondary' }, second)];

const actionButton = (label, onClick) => {
  const b = el('button', { type: 'button', class: 'small' }, label);
  b.addEventListener('click', onClick);
  return b;
};

const LISTS = {
  pledges: {
    path: '/pledges',
    params: ({ fund_id, donor_id }) => ({ fund_id, donor_id }),
    columns: [
      ['staff.field.pledged_on', (r) => date(r.pledged_on)],
      ['staff.col.donor_fund', (r) => twoLines(donorName(r.donor_id, r), fundName(r.fund_id, r))],
      ['staff.field.amount', (r) => money(r.amount, r.currency), 'num'],
      ['staff.col.paid', (r) => money(r.paid, r.currency), 'num'],
      ['staff.col.outstanding', (r) => money(r.outstanding, r.currency), 'num'],
      ['staff.col.amount_usd', (r) => money(r.amount_usd), 'num'],
      ['staff.col.status', (r) => twoLines(el('span', { class: `badge status-${r.status}` }, tEnum('status', r.status)), tEnum('stage', r.stage))],
      ['staff.field.reference', (r) => r.reference ?? ''],
    ],
    actions: (r) => isOpenPledge(r) ? [
      actionButton(t('staff.pledge.record_payment'), () => payPledge(r)),
      actionButton(t('staff.pledge.cancel'), () => askReason({
        title: t('staff.pledge.cancel_title'),
        subject: OPTION_LABELS.pledges(r),
        confirm: t('staff.pledge.cancel_confirm'),
        send: (reason) => api(`/pledges/${encodeURIComponent(r.id)}/cancel`, { method: 'POST', body: { reason } }),
        done: () => refresh('pledges'),
      })),
    ] : [],
  },
  contributions: {
    path: '/contributions',
    params: ({ fund_id, donor_id, acknowledgement }) => ({ fund_id, donor_id, acknowledgement }),
    columns: [
      ['staff.field.received_on', (r) => date(r.received_on)],
      ['staff.col.donor_fund', (r) => twoLines(donorName(r.donor_id, r), fundName(r.fund_id, r))],
      ['staff.field.amount', (r) => money(r.amount, r.currency), 'num'],
      ['staff.col.exchange_rate', (r) => formatDecimal(r.exchange_rate), 'num'],
      ['staff.col.amount_usd', (r) => money(r.amount_usd), 'num'],
      ['staff.field.reference', (r) => r.reference ?? ''],
      ['staff.col.status', (r) => (r.voided
        ? el('span', { class: 'badge status-cancelled', title: r.void_reason ?? '' }, t('staff.contribution.voided'))
        : el('span', { class: 'badge status-fulfilled' }, t('staff.contribution.valid')))],
      ackColumn, // issue 15
    ],
    actions: (r) => r.voided ? [] : [
      actionButton(t('staff.contribution.void'), () => askReason({
        title: t('staff.contribution.void_title'),
        subject: `${donorName(r.donor_id, r)} · ${money(r.amount, r.currency)} · ${date(r.received_on)}`,
        confirm: t('staff.contribution.void_confirm'),
        send: (reason) => api(`/contributions/${encodeURIComponent(r.id)}/void`, { method: 'POST', body: { reason } }),
        done: () => refresh('contributions', 'pledges'),
      })),
      ...ackActions(r, () => refresh('contributions')), // issue 15
    ],
  },
  donors: {
    path: '/donors',
    params: () => ({}),
    columns: [
      ['staff.field.name', (r) => r.name],
      ['staff.field.kind', (r) => tEnum('kind', r.kind)],
      ['staff.col.country', (r) => country(r.country_code)],
      ['staff.col.anonymous', (r) => (r.anonymous ? t('common.yes') : t('common.no'))],
      ['staff.field.contact_email', (r) => r.contact_email ?? ''],
    ],
    actions: (r) => linkActions(r), // issue 15: private statement links
  },
  rates: {
    path: '/exchange-rates',
    params: ({ currency }) => ({ currency }),
    columns: [
      ['staff.field.currency', (r) => r.currency],
      ['staff.field.effective_on', (r) => date(r.effective_on)],
      ['staff.field.units_per_usd', (r) => formatDecimal(r.units_per_usd), 'num'],
      ['staff.field.source', (r) => r.source ?? ''],
    ],
  },
};

// A list shown as a table, newest first as the API answers, with "show more" for the next page.
class PagedList {
  constructor(name, spec) {
    this.spec = spec;
    this.root = $(`[data-list="${name}"]`);
    const headers = spec.columns.map(([key, , cls]) => el('th', { scope: 'col', class: cls }, t(key)));
    if (spec.actions) headers.push(el('th', { scope: 'col' }, t('staff.col.actions')));
    this.body = el('tbody');
    this.more = actionButton(t('staff.list.more'), () => this.load(false));
    this.empty = el('p', { class: 'note', hidden: true }, t('staff.list.empty'));
    this.root.replaceChildren(
      el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t(`staff.tab.${name}`) },
        el('table', { class: 'list' }, el('thead', {}, el('tr', {}, headers)), this.body)),
      this.empty, el('p', {}, this.more));
  }

  async load(fresh = true) {
    if (fresh) this.cursor = '';
    this.root.dataset.state = 'loading';
    try {
      const page = await api(this.spec.path + query({ ...this.spec.params(filters()), limit: PAGE_SIZE, cursor: this.cursor }));
      const rows = itemsOf(page).map((r) => this.row(r));
      if (fresh) this.body.replaceChildren(...rows); else this.body.append(...rows);
      this.cursor = page?.next ?? '';
      this.more.hidden = !this.cursor;
      this.empty.hidden = this.body.rows.length > 0;
      this.root.dataset.state = 'ready';
    } catch (err) {
      handleError(err);
      this.root.dataset.state = 'error';
    }
  }

  row(r) {
    const cells = this.spec.columns.map(([, cell, cls]) => el('td', { class: cls }, cell(r)));
    if (this.spec.actions) cells.push(el('td', {}, el('div', { class: 'row-actions' }, this.spec.actions(r))));
    return el('tr', { dataset: { id: String(r.id) } }, cells);
  }
}

const lists = {};

// refresh reloads the named lists and the option lists the forms use.
async function refresh(...names) {
  await Promise.all([loadOptions(), ...names.map((n) => lists[n].load())]);
}

// ---- forms -------------------------------------------------------------------------------

function formMessage(form, text, ok = false) {
  const p = $('.form-error', form);
  p.textContent = text;
  p.classList.toggle('ok', ok);
}

function clearFieldError(form, name) {
  const input = form.elements[name];
  if (!input?.id) return;
  $(`#${input.id}-error`)?.remove();
  input.removeAttribute('aria-invalid');
  const ids = (input.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && id !== `${input.id}-error`);
  if (ids.length) input.setAttribute('aria-describedby', ids.join(' ')); else input.removeAttribute('aria-describedby');
}

function clearErrors(form) {
  for (const input of $$('[aria-invalid]', form)) clearFieldError(form, input.name);
  formMessage(form, '');
}

// fieldError shows a problem beside its field (and ties it to the field for screen readers).
function fieldError(form, name, message) {
  const input = form.elements[name];
  if (!input?.id) return false;
  clearFieldError(form, name);
  input.setAttribute('aria-invalid', 'true');
  const described = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
  input.setAttribute('aria-describedby', [...described, `${input.id}-error`].join(' '));
  input.closest('.field').append(el('p', { class: 'field-error', id: `${input.id}-error` }, message));
  return true;
}

function showApiError(form, err) {
  if (!(err instanceof ApiError)) {
    formMessage(form, t('common.network_error'));
    return;
  }
  if (err.status === 401) {
    signedOut(t('staff.session_expired'));
    return;
  }
  const unplaced = Object.entries(err.fields).filter(([name, msg]) => !fieldError(form, name, msg));
  const first = $('[aria-invalid="true"]', form);
  if (first) first.focus();
  formMessage(form, [t('staff.form.not_saved', { message: err.message }), ...unplaced.map(([n, m]) => `${n}: ${m}`)].join(' '));
}

// formBody reads a form into the API's JSON: empty fields left out, checkboxes as booleans,
// ids as the API gave them, amounts as decimal strings.
function formBody(form) {
  const body = {};
  for (const input of form.elements) {
    if (!input.name) continue;
    if (input.type === 'checkbox') body[input.name] = input.checked;
    else if (input.value.trim() === '') continue;
    else if (input.dataset.options) body[input.name] = byId(input.dataset.options, input.value)?.id ?? input.value;
    else if ('decimal' in input.dataset) body[input.name] = amountInput(input.value);
    else if (input.classList.contains('upper')) body[input.name] = input.value.trim().toUpperCase();
    else body[input.name] = input.value.trim();
  }
  return body;
}

function resetForm(form) {
  form.reset();
  for (const input of $$('[data-today]', form)) input.value = today();
  form.dispatchEvent(new Event('change'));
}

// handleForm posts the form to its endpoint; after sends extra headers, saved says what to do
// with the answer.
function handleForm(form, { headers = () => ({}), saved, message }) {
  // The last answer's message stays until the form is edited again.
  form.addEventListener('input', () => formMessage(form, ''));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const button = $('button[type="submit"]', form);
    button.disabled = true;
    try {
      const body = formBody(form);
      const result = await api(form.dataset.endpoint, { method: 'POST', body, headers: headers(body) });
      resetForm(form);
      formMessage(form, message(result), true);
      await saved(result);
    } catch (err) {
      showApiError(form, err);
    } finally {
      button.disabled = false;
    }
  });
}

// The contribution form: picking a pledge fills fund, donor and currency and shows what is
// outstanding; the rate that will apply and the USD value are quoted before saving.
function contributionForm() {
  const form = $('#contribution-form');
  const pledgeSelect = $('#contribution-pledge');
  const outstanding = $('#contribution-outstanding');
  const quote = $('#contribution-quote');

  pledgeSelect.addEventListener('change', () => {
    const pledge = byId('pledges', pledgeSelect.value);
    for (const input of $$('[data-from-pledge]', form)) {
      if (pledge) input.value = input.name === 'currency' ? pledge.currency : String(pledge[input.name]);
      input.disabled = Boolean(pledge);
    }
    outstanding.textContent = pledge ? t('staff.contribution.outstanding', {
      outstanding: money(pledge.outstanding, pledge.currency), amount: money(pledge.amount, pledge.currency),
    }) : '';
    showQuote();
  });

  let timer;
  let asked = 0;
  async function showQuote() {
    const { amount, currency, received_on: on } = formBody(form);
    const ticket = ++asked;
    if (!amount || !currency || !on) {
      quote.textContent = '';
      return;
    }
    try {
      const q = await api(`/exchange-rates/quote${query({ currency, on, amount })}`);
      if (ticket !== asked) return;
      clearFieldError(form, 'amount');
      quote.textContent = t('staff.contribution.quote', {
        rate: formatDecimal(q.units_per_usd), currency: q.currency, date: date(q.effective_on),
        amount: money(q.amount, q.currency), usd: money(q.amount_usd),
      });
    } catch (err) {
      if (ticket !== asked) return;
      quote.textContent = err instanceof ApiError ? t('staff.contribution.no_quote', { message: err.message }) : '';
      if (err.fields?.amount) fieldError(form, 'amount', err.fields.amount);
    }
  }
  form.addEventListener('input', (event) => {
    if (!['amount', 'currency', 'received_on'].includes(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(showQuote, 350);
  });
  form.addEventListener('change', (event) => {
    if (event.target === form) pledgeSelect.dispatchEvent(new Event('change'));
  });

  // One Idempotency-Key per distinct body, so that a retry after a lost answer saves once.
  let lastKey = { body: '', key: '' };
  handleForm(form, {
    headers: (body) => {
      const json = JSON.stringify(body);
      if (json !== lastKey.body) lastKey = { body: json, key: crypto.randomUUID() };
      return { 'Idempotency-Key': lastKey.key };
    },
    message: (c) => t('staff.contribution.saved', { amount: money(c.amount, c.currency), usd: money(c.amount_usd) }),
    saved: () => refresh('contributions', 'pledges'),
  });
}

function payPledge(pledge) {
  showTab('contributions');
  const select = $('#contribution-pledge');
  select.value = String(pledge.id);
  select.dispatchEvent(new Event('change'));
  $('#contribution-amount').focus();
}

// ---- void / cancel -----------------------------------------------------------------------

function askReason({ title, subject, confirm, send, done }) {
  const dialog = $('#reason-dialog');
  const form = $('#reason-form');
  clearErrors(form);
  form.reset();
  $('#reason-title').textContent = title;
  $('#reason-subject').textContent = subject;
  $('#reason-confirm').textContent = confirm;
  form.onsubmit = async (event) => {
    event.preventDefault();
    clearErrors(form);
    const reason = $('#reason-input').value.trim();
    if (!reason) {
      fieldError(form, 'reason', t('staff.reason.required'));
      $('#reason-input').focus();
      return;
    }
    try {
      await send(reason);
      dialog.close();
      setStatus(t('staff.reason.done'));
      await done();
    } catch (err) {
      showApiError(form, err);
    }
  };
  dialog.showModal();
  $('#reason-input').focus();
}

// ---- session, tabs, filters --------------------------------------------------------------

function handleError(err) {
  if (err instanceof ApiError && err.status === 401) signedOut(t('staff.session_expired'));
  else setStatus(t('common.load_failed', { message: err.message }), true);
}

function signedOut(message = '') {
  sessionStorage.removeItem(USER_KEY);
  $('#console').hidden = true;
  $('#login-section').hidden = false;
  setStatus(message, Boolean(message));
  document.body.dataset.state = 'login';
}

async function signedIn(user) {
  $('#login-section').hidden = true;
  $('#console').hidden = false;
  $('#whoami').textContent = user?.email ? t('staff.signed_in_as', { email: user.email, role: tEnum('role', user.role) }) : '';
  setStatus('');
  await loadOptions();
  showTab(location.hash.slice(1) in LISTS || location.hash === '#exports' ? location.hash.slice(1) : 'pledges');
  document.body.dataset.state = 'ready';
}

function showTab(name) {
  for (const button of $$('[data-tab]')) button.setAttribute('aria-pressed', String(button.dataset.tab === name));
  for (const panel of $$('.tab-panel')) panel.hidden = panel.id !== `tab-${name}`;
  // Only the filters that apply to the list shown.
  for (const field of $$('#filters [data-tabs]')) field.hidden = !field.dataset.tabs.split(' ').includes(name);
  $('#filters').hidden = !$$('#filters [data-tabs]').some((f) => !f.hidden);
  history.replaceState(null, '', `${location.pathname}${location.search}#${name}`);
  if (lists[name]) lists[name].load();
}

function updateExportLinks() {
  const { fund_id } = filters();
  for (const [id, file] of [['#export-contributions', 'contributions'], ['#export-pledges', 'pledges']]) {
    $(id).href = `/api/v1/exports/${file}.csv${query({ fund_id: byId('funds', fund_id)?.id ?? fund_id })}`;
  }
  updateReportLinks(byId('funds', fund_id), data.funds);
}

async function main() {
  for (const [name, spec] of Object.entries(LISTS)) lists[name] = new PagedList(name, spec);
  for (const input of $$('[data-today]')) input.value = today();

  const login = $('#login-form');
  login.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(login);
    try {
      const { user } = await api('/auth/login', { method: 'POST', body: formBody(login) });
      sessionStorage.setItem(USER_KEY, JSON.stringify(user ?? {}));
      login.reset();
      await signedIn(user);
      updateExportLinks();
    } catch (err) {
      formMessage(login, err instanceof ApiError && err.status === 401 ? t('staff.login.failed') : t('common.network_error'));
    }
  });
  $('#logout').addEventListener('click', async () => {
    await api('/auth/logout', { method: 'POST' }).catch(() => null);
    signedOut(t('staff.signed_out'));
  });
  $('.tabs').addEventListener('click', (event) => {
    const button = event.target.closest('[data-tab]');
    if (button) showTab(button.dataset.tab);
  });
  $('#filters').addEventListener('change', () => {
    updateExportLinks();
    for (const panel of $$('.tab-panel:not([hidden])')) lists[panel.id.replace('tab-', '')]?.load();
  });
  $('#filters').addEventListener('submit', (event) => event.preventDefault());
  $('#reason-back').addEventListener('click', () => $('#reason-dialog').close());

  handleForm($('#pledge-form'), {
    message: (p) => t('staff.pledge.saved', { amount: money(p.amount, p.currency), usd: money(p.amount_usd) }),
    saved: () => refresh('pledges'),
  });
  handleForm($('#donor-form'), {
    message: (d) => t('staff.donor.saved', { name: d.name }),
    saved: () => refresh('donors'),
  });
  handleForm($('#rate-form'), {
    message: (r) => t('staff.rate.saved', { currency: r.currency, rate: formatDecimal(r.units_per_usd), date: date(r.effective_on) }),
    saved: () => refresh('rates'),
  });
  contributionForm();

  // Signed in already in this tab? The session cookie is HttpOnly, so the page cannot see
  // it: it remembers the signed-in user for the tab and asks the API whether the session holds.
  const user = JSON.parse(sessionStorage.getItem(USER_KEY) || 'null');
  if (!user) {
    signedOut();
    return;
  }
  try {
    await api(`/donors${query({ limit: 1 })}`);
    await signedIn(user);
    updateExportLinks();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signedOut();
    else handleError(err);
  }
}

main();
