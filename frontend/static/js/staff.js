// The staff console: sign in, lists of pledges, contributions, donors and exchange rates
// (filtered, newest first, paged by the API's cursor), forms to add each, void and cancel
// with a reason, CSV exports. The session is the HttpOnly cookie the login sets.
import { ackColumn, ackActions } from './acknowledge.js';
import { linkActions } from './donorlinks.js';
import { t, tn, tEnum, fundLabel } from './i18n.js';
import { money, formatDecimal, date, dateTime, country, today, minorUnits, count } from './format.js';
import { api, itemsOf, query, fetchAll, ApiError } from './api.js';
import { el, $, $$, setStatus } from './dom.js';
import { updateReportLinks } from './report-links.js';
import { parseAmount } from './amount.js';
import { countryOptions } from './countries.js';
import { instalments } from './instalments.js';

const PAGE_SIZE = 25;
const USER_KEY = 'fundtracker.user';

// Records the option lists are made of, and lookups by id (ids are kept as the API sent them).
const data = { funds: [], donors: [], pledges: [] };
let me = null; // the signed-in user, from GET /auth/me
const byId = (kind, id) => data[kind].find((r) => String(r.id) === String(id));
const fundName = (id, row = {}) => fundLabel(byId('funds', id)) ?? row.fund_code ?? row.fund_name ?? id;
const donorName = (id, row = {}) => row.donor_name || byId('donors', id)?.name || id;
const isOpenPledge = (p) => !['cancelled', 'fulfilled'].includes(p.status);

const OPTION_LABELS = {
  funds: (f) => fundLabel(f),
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
  q: $('#filter-q').value.trim(),
  earmarking: $('#filter-earmarking').value,
  from: $('#filter-from').value,
  to: $('#filter-to').value,
  status: $('#filter-status').value,
  stage: $('#filter-stage').value,
  voided: $('#filter-voided').value,
});

// A cell with a main text and a quieter second line (the fund under the donor...).
const twoLines = (main, second) => [main, el('br'), el('small', { class: 'secondary' }, second)];

const actionButton = (label, onClick, action = undefined) => {
  const b = el('button', { type: 'button', class: 'small', dataset: action ? { action } : undefined }, label);
  b.addEventListener('click', onClick);
  return b;
};

const LISTS = {
  pledges: {
    path: '/pledges',
    totals: true,
    actionsFirst: true, // the Instalments button stays in view at 1280 px
    params: ({ fund_id, donor_id, currency, q, earmarking, from, to, status, stage }) =>
      ({ fund_id, donor_id, currency, q, earmarking, from, to, status, stage }),
    columns: [
      ['staff.field.pledged_on', (r) => twoLines(date(r.pledged_on), (r.next_due_on || r.due_on) ? t('console.due', { date: date(r.next_due_on || r.due_on) }) : '')],
      ['staff.col.donor_fund', (r) => twoLines(donorName(r.donor_id, r), fundName(r.fund_id, r))],
      ['staff.field.amount', (r) => money(r.amount, r.currency), 'num'],
      ['staff.col.paid', (r) => money(r.paid, r.currency), 'num'],
      ['staff.col.outstanding', (r) => money(r.outstanding, r.currency), 'num'],
      ['staff.col.amount_usd', (r) => money(r.amount_usd), 'num'],
      ['staff.col.status', (r) => twoLines(el('span', { class: `badge status-${r.status}` }, tEnum('status', r.status)), tEnum('stage', r.stage))],
      ['staff.field.reference', (r) => r.reference ?? ''],
      ['console.col.reason', (r) => (r.cancelled ? el('span', { class: 'reason' }, t('console.cancelled_because', { reason: r.cancel_reason, by: r.cancelled_by, at: dateTime(r.cancelled_at) })) : '')],
    ],
    actions: (r) => [
      actionButton(t('console.edit'), () => editPledge(r), 'edit'),
      ...(isOpenPledge(r) ? [
        actionButton(t('staff.pledge.record_payment'), () => payPledge(r), 'pay'),
        actionButton(t('staff.pledge.cancel'), () => askReason({
          title: t('staff.pledge.cancel_title'),
          subject: OPTION_LABELS.pledges(r),
          confirm: t('staff.pledge.cancel_confirm'),
          send: (reason) => api(`/pledges/${encodeURIComponent(r.id)}/cancel`, { method: 'POST', body: { reason } }),
          message: (p) => t('console.pledge.cancelled', { id: p.id, usd: money(r.outstanding_usd) }),
          done: () => refresh('pledges'),
        })),
      ] : []),
    ],
  },
  contributions: {
    path: '/contributions',
    totals: true,
    params: ({ fund_id, donor_id, currency, q, earmarking, from, to, voided, acknowledgement }) =>
      ({ fund_id, donor_id, currency, q, earmarking, from, to, voided, acknowledgement }),
    columns: [
      ['staff.field.received_on', (r) => twoLines(date(r.received_on), r.pledge_id ? t('console.pays_pledge', { id: r.pledge_id }) : t('console.no_pledge'))],
      ['staff.col.donor_fund', (r) => twoLines(donorName(r.donor_id, r), fundName(r.fund_id, r))],
      ['staff.field.amount', (r) => money(r.amount, r.currency), 'num'],
      ['staff.col.exchange_rate', (r) => formatDecimal(r.exchange_rate), 'num'],
      ['staff.col.amount_usd', (r) => money(r.amount_usd), 'num'],
      ['staff.field.reference', (r) => r.reference ?? ''],
      ['staff.col.status', (r) => (r.voided
        ? [el('span', { class: 'badge status-cancelled' }, t('staff.contribution.voided')), el('br'),
          el('span', { class: 'reason' }, t('console.voided_because', { reason: r.void_reason, by: r.voided_by, at: dateTime(r.voided_at) }))]
        : el('span', { class: 'badge status-fulfilled' }, t('staff.contribution.valid')))],
      ackColumn, // issue 15
    ],
    actions: (r) => r.voided ? [] : [
      actionButton(t('staff.contribution.void'), () => askReason({
        title: t('staff.contribution.void_title'),
        subject: `${donorName(r.donor_id, r)} · ${money(r.amount, r.currency)} · ${date(r.received_on)}`,
        confirm: t('staff.contribution.void_confirm'),
        send: (reason) => api(`/contributions/${encodeURIComponent(r.id)}/void`, { method: 'POST', body: { reason } }),
        message: (c) => t('console.contribution.voided', { id: c.id, usd: money(c.amount_usd) }),
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
      ['staff.field.language', (r) => tEnum('language', r.language || 'en')], // issue 11: the language reminders are written in
    ],
    actions: (r) => [
      actionButton(t('console.edit'), () => editDonor(r), 'edit'),
      ...(me?.role === 'admin' ? [actionButton(t('console.merge'), () => mergeDonor(r), 'merge')] : []),
      ...linkActions(r), // issue 15: private statement links
    ],
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
    // actionsFirst: the actions lead the row, so that they are in view without scrolling a wide table.
    if (spec.actions) headers[spec.actionsFirst ? 'unshift' : 'push'](el('th', { scope: 'col' }, t('staff.col.actions')));
    this.body = el('tbody');
    this.more = actionButton(t('staff.list.more'), () => this.load(false));
    this.empty = el('p', { class: 'note', hidden: true }, t('staff.list.empty'));
    this.totals = el('p', { class: 'totals', 'aria-live': 'polite', dataset: { totals: name } });
    this.root.replaceChildren(
      el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t(`staff.tab.${name}`) },
        el('table', { class: 'list' }, el('thead', {}, el('tr', {}, headers)), this.body)),
      this.empty, this.totals, el('p', {}, this.more));
  }

  async load(fresh = true) {
    if (fresh) this.cursor = '';
    this.root.dataset.state = 'loading';
    try {
      const totals = fresh && this.spec.totals ? 1 : '';
      const params = this.spec.params(filters());
      const ticket = (this.ticket = (this.ticket ?? 0) + 1);
      const page = await api(this.spec.path + query({ ...params, limit: PAGE_SIZE, cursor: this.cursor, totals }));
      if (ticket !== this.ticket) return; // a newer load (the filters changed again) answers instead
      this.root.dataset.query = query(params).slice(1);
      if (page?.totals) this.showTotals(page.totals);
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

  // showTotals writes the totals of the whole filtered list under it.
  showTotals(tot) {
    const by = tot.by_currency.map((c) => money(c.amount, c.currency)).join(' · ');
    this.totals.textContent = tn('console.totals', tot.count, { count: count(tot.count), usd: money(tot.amount_usd), by: by || '—' });
    this.totals.dataset.count = String(tot.count);
    this.totals.dataset.usd = tot.amount_usd;
  }

  row(r) {
    const cells = this.spec.columns.map(([, cell, cls]) => el('td', { class: cls }, cell(r)));
    if (this.spec.actions) cells[this.spec.actionsFirst ? 'unshift' : 'push'](el('td', {}, el('div', { class: 'row-actions' }, this.spec.actions(r))));
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

// readAmount reads an amount field as the page's language writes it (amount.js); problems
// gets the field's problem when it cannot be read one way only.
function readAmount(form, input, problems) {
  const currency = (form.elements.currency?.value || '').trim().toUpperCase();
  const places = input.name === 'units_per_usd' ? 10 : minorUnits(currency);
  const r = parseAmount(input.value, places);
  if (r.value) return r.value;
  problems[input.name] = t(r.error, {
    choices: (r.choices || []).map((c) => formatDecimal(c)).join(' / '), places: String(r.places ?? ''), currency,
  });
  return undefined;
}

// formBody reads a form into the API's JSON: empty fields left out, checkboxes as booleans,
// ids as the API gave them, amounts as decimal strings (problems collects unreadable ones).
function formBody(form, problems = {}) {
  const body = {};
  for (const input of form.elements) {
    if (!input.name || 'skip' in input.dataset) continue; // data-skip: read by its own module (the schedule)
    if (input.type === 'checkbox') body[input.name] = input.checked;
    else if (input.value.trim() === '') continue;
    else if (input.dataset.options) body[input.name] = byId(input.dataset.options, input.value)?.id ?? input.value;
    else if ('decimal' in input.dataset) body[input.name] = readAmount(form, input, problems);
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
function handleForm(form, { headers = () => ({}), saved, message, extra = () => ({}), failed = () => {} }) {
  // The last answer's message stays until the form is edited again.
  form.addEventListener('input', () => formMessage(form, ''));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const problems = {};
    const body = { ...formBody(form, problems), ...extra(problems) };
    if (Object.keys(problems).length) {
      for (const [name, msg] of Object.entries(problems)) fieldError(form, name, msg);
      $('[aria-invalid="true"]', form)?.focus();
      formMessage(form, t('console.amount.not_sent'));
      return;
    }
    const button = $('button[type="submit"]', form);
    button.disabled = true;
    try {
      const editing = form.dataset.editing;
      const result = editing
        ? await api(`${form.dataset.endpoint}/${encodeURIComponent(editing)}`, { method: 'PATCH', body: patchBody(form, body) })
        : await api(form.dataset.endpoint, { method: 'POST', body, headers: headers(body) });
      resetForm(form);
      formMessage(form, message(result), true);
      await saved(result);
    } catch (err) {
      showApiError(form, err);
      failed(err, body);
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

  const showQuote = amountPreview(form, 'received_on', quote);
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

// amountPreview shows, as the amount is typed, what will be sent: the amount in full with its
// currency, its USD value at the rate that will apply, and a warning when that rate is stale.
// A problem reading the amount is shown beside the field at once.
function amountPreview(form, dateField, output) {
  let timer;
  let asked = 0;
  async function show() {
    const problems = {};
    const body = formBody(form, problems);
    const { amount, currency } = body;
    const on = body[dateField];
    const ticket = ++asked;
    clearFieldError(form, 'amount');
    if (problems.amount && form.elements.amount.value.trim()) {
      fieldError(form, 'amount', problems.amount);
      output.textContent = '';
      output.dataset.state = 'refused';
      return;
    }
    if (!amount || !currency || !on) {
      output.textContent = '';
      output.dataset.state = 'empty';
      return;
    }
    try {
      const q = await api(`/exchange-rates/quote${query({ currency, on, amount })}`);
      if (ticket !== asked) return;
      const lines = [t('console.will_send', { amount: money(q.amount, q.currency), plain: `${q.amount} ${q.currency}`, usd: money(q.amount_usd) }),
        t('staff.contribution.quote', {
          rate: formatDecimal(q.units_per_usd), currency: q.currency, date: date(q.effective_on),
          amount: money(q.amount, q.currency), usd: money(q.amount_usd),
        })];
      if (q.stale) lines.push(tn('console.rate_stale', q.rate_age_days, { days: count(q.rate_age_days), limit: q.stale_after_days, currency: q.currency }));
      output.replaceChildren(...lines.map((l, i) => el('span', { class: i === 2 ? 'warning' : '' }, l, el('br'))));
      output.dataset.state = q.stale ? 'stale' : 'ready';
      output.dataset.amount = q.amount;
      output.dataset.usd = q.amount_usd;
    } catch (err) {
      if (ticket !== asked) return;
      output.textContent = err instanceof ApiError ? t('staff.contribution.no_quote', { message: err.message }) : '';
      output.dataset.state = 'error';
      if (err.fields?.amount) fieldError(form, 'amount', err.fields.amount);
    }
  }
  form.addEventListener('input', (event) => {
    if (!['amount', 'currency', dateField].includes(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(show, 300);
  });
  form.addEventListener('change', (event) => {
    if (event.target.name === dateField || event.target.name === 'currency') show();
  });
  return show;
}

// patchBody is what an edit form sends: every field, emptied ones as "" so that they clear.
function patchBody(form, body) {
  const out = { ...body };
  for (const input of form.elements) {
    if (input.name && !(input.name in out) && input.type !== 'checkbox') out[input.name] = '';
  }
  delete out.allow_duplicate;
  return out;
}

// The donor form: country chosen by name; a duplicate (409 with existing_id) offers to use
// the existing donor or to record this one anyway; "Edit" on a donor fills the form to PATCH it.
function donorForm() {
  const form = $('#donor-form');
  const country = $('#donor-country');
  countryOptions(country, t('console.country.none'));
  const useExisting = $('#donor-use-existing');
  const anyway = $('#donor-record-anyway');
  const cancelEdit = $('#donor-edit-cancel');
  let allowDuplicate = false;
  let existing = null;
  const reset = () => {
    useExisting.hidden = true;
    anyway.hidden = true;
    allowDuplicate = false;
  };
  form.addEventListener('input', reset);
  handleForm(form, {
    extra: () => (allowDuplicate ? { allow_duplicate: true } : {}),
    message: (d) => (form.dataset.editing ? t('console.donor.updated', { name: d.name }) : t('staff.donor.saved', { name: d.name })),
    saved: async () => {
      reset();
      stopEditing();
      await refresh('donors');
    },
    failed: (err) => {
      if (err instanceof ApiError && err.status === 409 && err.existingId) {
        existing = err.existingId;
        useExisting.hidden = false;
        anyway.hidden = false;
        useExisting.focus();
      }
    },
  });
  useExisting.addEventListener('click', async () => {
    await loadOptions();
    const d = byId('donors', existing);
    for (const sel of ['#pledge-donor', '#contribution-donor', '#filter-donor']) $(sel).value = String(existing);
    resetForm(form);
    reset();
    formMessage(form, t('console.donor.using_existing', { name: d?.name ?? existing, id: existing }), true);
    setStatus(t('console.donor.using_existing', { name: d?.name ?? existing, id: existing }));
  });
  anyway.addEventListener('click', () => {
    allowDuplicate = true;
    form.requestSubmit();
  });
  function stopEditing() {
    delete form.dataset.editing;
    cancelEdit.hidden = true;
    $('summary', form.closest('details')).textContent = t('staff.donor.new');
    $('button[type="submit"]', form).textContent = t('staff.donor.save');
  }
  cancelEdit.addEventListener('click', () => {
    stopEditing();
    resetForm(form);
  });
  editDonor = (d) => {
    showTab('donors');
    resetForm(form);
    reset();
    form.dataset.editing = String(d.id);
    form.closest('details').open = true;
    $('summary', form.closest('details')).textContent = t('console.donor.edit_title', { name: d.name });
    $('button[type="submit"]', form).textContent = t('console.edit.save');
    cancelEdit.hidden = false;
    form.elements.name.value = d.name;
    form.elements.kind.value = d.kind;
    form.elements.country_code.value = d.country_code || '';
    form.elements.contact_email.value = d.contact_email || '';
    form.elements.language.value = d.language || 'en';
    form.elements.anonymous.checked = Boolean(d.anonymous);
    form.elements.name.focus();
  };
}

let editDonor = () => {};

function mergeDonor(d) {
  askReason({
    title: t('console.merge.title', { name: d.name }),
    subject: t('console.merge.subject'),
    confirm: t('console.merge.confirm'),
    merge: d,
    send: (reason, into) => api(`/donors/${encodeURIComponent(d.id)}/merge`, { method: 'POST', body: { into_id: into, reason } }),
    message: (r) => t('console.merge.done', { name: d.name, into: donorName(r.merged_into) }),
    done: () => refresh('donors', 'pledges', 'contributions'),
  });
}

// openEdit shows the edit dialog with the given fields and sends what changed with PATCH.
function openEdit({ title, fields, send, message, done }) {
  const dialog = $('#edit-dialog');
  const form = $('#edit-form');
  clearErrors(form);
  $('#edit-title').textContent = title;
  $('#edit-fields').replaceChildren(...fields.map((f) => {
    if (f.node) return f.node; // a field built by its caller, read back by f.read()
    const id = `edit-${f.name}`;
    let input;
    if (f.options) {
      input = el('select', { id, name: f.name }, f.options.map(([v, label]) => el('option', { value: v }, label)));
    } else if (f.type === 'textarea') {
      input = el('textarea', { id, name: f.name, rows: 3 });
    } else {
      input = el('input', { id, name: f.name, type: f.type || 'text', autocomplete: 'off', inputmode: f.decimal ? 'decimal' : undefined, dataset: f.decimal ? { decimal: '' } : undefined });
    }
    if (f.type === 'checkbox') input.checked = Boolean(f.value); else input.value = f.value ?? '';
    return el('div', { class: `field${f.type === 'textarea' ? ' field-wide' : ''}` }, el('label', { for: id }, f.label), input,
      f.hint ? el('p', { class: 'hint' }, f.hint) : null);
  }));
  form.onsubmit = async (event) => {
    event.preventDefault();
    clearErrors(form);
    const problems = {};
    const body = {};
    for (const f of fields) {
      if (f.read) {
        const v = f.read();
        if (v !== undefined) body[f.name] = v;
        continue;
      }
      const input = form.elements[f.name];
      if (f.type === 'checkbox') body[f.name] = input.checked;
      else if (f.decimal) {
        if (input.value.trim() === String(f.value ?? '')) continue;
        const r = parseAmount(input.value, f.places);
        if (r.value) body[f.name] = r.value;
        else problems[f.name] = t(r.error, { choices: (r.choices || []).map((c) => formatDecimal(c)).join(' / '), places: String(r.places ?? ''), currency: f.currency ?? '' });
      } else if (f.type === 'password' && !input.value) continue;
      else body[f.name] = input.value.trim();
    }
    if (Object.keys(problems).length) {
      for (const [n, m] of Object.entries(problems)) fieldError(form, n, m);
      return;
    }
    try {
      const result = await send(body);
      dialog.close();
      setStatus(message(result));
      await done?.(result);
    } catch (err) {
      showApiError(form, err);
    }
  };
  dialog.showModal();
  form.elements[0]?.focus();
}

const enumOptions = (group, values) => values.map((v) => [v, tEnum(group, v)]);

function editPledge(r) {
  openEdit({
    title: t('console.pledge.edit_title', { id: r.id, donor: donorName(r.donor_id, r) }),
    fields: [
      { name: 'amount', label: t('console.pledge.amount', { currency: r.currency }), value: r.amount, decimal: true,
        places: minorUnits(r.currency), currency: r.currency, hint: t('console.pledge.amount_hint', { paid: money(r.paid, r.currency) }) },
      { name: 'reference', label: t('staff.field.reference'), value: r.reference },
      { name: 'due_on', label: t('staff.field.due_on'), type: 'date', value: r.due_on },
      { name: 'stage', label: t('staff.field.stage'), value: r.stage, options: enumOptions('stage', ['pledge', 'commitment']) },
      { name: 'earmarking', label: t('staff.field.earmarking'), value: r.earmarking,
        options: enumOptions('earmarking', ['unearmarked', 'softly_earmarked', 'earmarked']) },
      { name: 'notes', label: t('staff.field.notes'), type: 'textarea', value: r.notes },
    ],
    send: (body) => api(`/pledges/${encodeURIComponent(r.id)}`, { method: 'PATCH', body: { ...body, due_on: body.due_on || null } }),
    message: (p) => t('console.pledge.updated', { id: p.id, amount: money(p.amount, p.currency), usd: money(p.amount_usd) }),
    done: () => refresh('pledges'),
  });
}

// ---- admin screens: funds, users, audit trail ----------------------------------------------

function adminTable(panel, title, headers, rows, extra = []) {
  panel.replaceChildren(el('h2', { id: `h-${panel.id.replace('tab-', '')}` }, title), ...extra,
    el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': title },
      el('table', { class: 'list' }, el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, rows))));
}

const fundFields = (f = {}) => [
  { name: 'code', label: t('console.fund.code'), value: f.code },
  { name: 'name', label: t('staff.field.name'), value: f.name },
  { name: 'organization', label: t('console.fund.organization'), value: f.organization },
  { name: 'target_usd', label: t('console.fund.target'), value: f.target_usd, decimal: true, places: 2, currency: 'USD' },
  { name: 'opens_on', label: t('console.fund.opens_on'), type: 'date', value: f.opens_on },
  { name: 'closes_on', label: t('console.fund.closes_on'), type: 'date', value: f.closes_on },
  { name: 'description', label: t('console.fund.description'), type: 'textarea', value: f.description },
];

async function fundsScreen() {
  const panel = $('#tab-funds');
  const funds = await fetchAll('/funds');
  const create = actionButton(t('console.fund.new'), () => openEdit({
    title: t('console.fund.new'), fields: fundFields(),
    send: (body) => api('/funds', { method: 'POST', body: Object.fromEntries(Object.entries(body).filter(([, v]) => v !== '')) }),
    message: (f) => t('console.fund.created', { name: f.name }), done: fundsScreen,
  }));
  adminTable(panel, t('console.tab.funds'), [t('console.fund.code'), t('staff.field.name'), t('console.fund.target'), t('console.fund.opens_on'), t('staff.col.actions')],
    funds.map((f) => el('tr', { dataset: { id: String(f.id) } }, el('td', {}, f.code), el('td', {}, fundLabel(f)), el('td', { class: 'num' }, money(f.target_usd)),
      el('td', {}, date(f.opens_on)), el('td', {}, actionButton(t('console.edit'), () => openEdit({
        title: t('console.fund.edit_title', { name: fundLabel(f) }), fields: fundFields(f),
        send: (body) => api(`/funds/${encodeURIComponent(f.id)}`, { method: 'PATCH', body: { ...body, opens_on: body.opens_on || null, closes_on: body.closes_on || null } }),
        message: (x) => t('console.fund.updated', { name: x.name }), done: () => Promise.all([fundsScreen(), loadOptions()]),
      }))))), [el('p', {}, create)]);
}

// Every role of the API (issue 16), with a fund picker for fund managers: their funds are
// required, so choosing fund_manager asks for them before anything is saved.
const ROLES = ['admin', 'staff', 'fund_manager', 'viewer', 'auditor'];

function fundsField(funds, selected = []) {
  const node = el('fieldset', { id: 'edit-fund_ids', class: 'fund-picker field-wide' },
    el('legend', {}, t('access.users.funds')),
    funds.map((f) => el('label', {}, el('input', { type: 'checkbox', name: 'fund_ids', value: String(f.id),
      checked: (selected ?? []).some((id) => String(id) === String(f.id)) }), ` ${fundLabel(f)}`)));
  return { name: 'fund_ids', node, read: () => (node.hidden ? undefined : $$('input:checked', node).map((b) => Number(b.value))) };
}

async function usersScreen() {
  const panel = $('#tab-users');
  const [users, funds] = await Promise.all([fetchAll('/users'), fetchAll('/funds')]);
  const roles = ROLES.map((r) => [r, tEnum('access.role', r)]);
  const fundName = (id) => fundLabel(funds.find((f) => String(f.id) === String(id))) ?? String(id);
  const roleChanged = (x) => t('console.user.role_changed', { email: x.email, role: tEnum('role', x.role) });
  const patch = (u, body, msg) => api(`/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', body }).then((x) => {
    setStatus(msg(x));
    return usersScreen();
  }).catch((err) => setStatus(t('staff.form.not_saved', { message: err.message }), true));
  // chooseFunds asks which funds u manages (as fund_manager); closing the dialog unsaved
  // leaves the user as it was.
  const chooseFunds = (u, select) => {
    openEdit({
      title: t('console.user.funds_title', { email: u.email }), fields: [fundsField(funds, u.fund_ids)],
      send: (body) => api(`/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', body: { role: 'fund_manager', fund_ids: body.fund_ids } }),
      message: roleChanged, done: usersScreen,
    });
    if (select) $('#edit-dialog').addEventListener('close', () => { select.value = u.role; }, { once: true });
  };
  const create = actionButton(t('console.user.new'), () => {
    const picker = fundsField(funds);
    openEdit({
      title: t('console.user.new'),
      fields: [{ name: 'email', label: t('staff.login.email'), type: 'email' }, { name: 'password', label: t('staff.login.password'), type: 'password' },
        { name: 'role', label: t('console.user.role'), value: 'staff', options: roles }, picker],
      send: (body) => api('/users', { method: 'POST', body }),
      message: (u) => t('console.user.created', { email: u.email, role: tEnum('role', u.role) }), done: usersScreen,
    });
    const role = $('#edit-role');
    const sync = () => { picker.node.hidden = role.value !== 'fund_manager'; };
    role.addEventListener('change', sync);
    sync();
  });
  adminTable(panel, t('console.tab.users'), [t('staff.login.email'), t('console.user.role'), t('access.users.funds'), t('console.user.active'), t('staff.col.actions')],
    users.map((u) => {
      const role = el('select', { class: 'role-select', 'aria-label': t('console.user.role_of', { email: u.email }) }, roles.map(([v, l]) => el('option', { value: v, selected: v === u.role }, l)));
      role.addEventListener('change', () => {
        if (role.value === 'fund_manager') chooseFunds(u, role);
        else patch(u, { role: role.value }, roleChanged);
      });
      return el('tr', { dataset: { id: String(u.id), email: u.email, role: u.role } }, el('td', {}, u.email), el('td', {}, role),
        el('td', { class: 'user-funds' }, (u.fund_ids ?? []).map(fundName).join(', ')),
        el('td', {}, u.active ? t('common.yes') : t('common.no')),
        el('td', {}, el('div', { class: 'row-actions' },
          actionButton(u.active ? t('console.user.deactivate') : t('console.user.activate'),
            () => patch(u, { active: !u.active }, (x) => t(x.active ? 'console.user.activated' : 'console.user.deactivated', { email: x.email }))),
          actionButton(t('console.user.reset_password'), () => openEdit({
            title: t('console.user.reset_title', { email: u.email }),
            fields: [{ name: 'password', label: t('console.user.new_password'), type: 'password' }],
            send: (body) => api(`/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', body }),
            message: (x) => t('console.user.password_reset', { email: x.email }), done: usersScreen,
          })),
          u.role === 'fund_manager' ? actionButton(t('console.user.edit_funds'), () => chooseFunds(u)) : null)));
    }), [el('p', {}, create)]);
}

// The audit trail: filters by record, action, actor and date; each event shows before and
// after side by side, changed fields marked.
async function auditScreen(params = {}) {
  const panel = $('#tab-audit');
  const users = await fetchAll('/users').catch(() => []);
  const form = el('form', { class: 'filters', id: 'audit-filters' },
    ...[['entity', 'console.audit.entity', ['', 'donor', 'pledge', 'contribution', 'fund', 'exchange_rate', 'user', 'token', 'session']],
      ['action', 'console.audit.action', ['', 'create', 'update', 'void', 'cancel', 'merge', 'login', 'login_failed', 'logout']]]
      .map(([name, label, values]) => el('div', { class: 'field' }, el('label', { for: `audit-${name}` }, t(label)),
        el('select', { id: `audit-${name}`, name }, values.map((v) => el('option', { value: v, selected: params[name] === v }, v ? v : t('console.filter.any')))))),
    el('div', { class: 'field' }, el('label', { for: 'audit-entity_id' }, t('console.audit.record')),
      el('input', { id: 'audit-entity_id', name: 'entity_id', inputmode: 'numeric', value: params.entity_id ?? '' })),
    el('div', { class: 'field' }, el('label', { for: 'audit-actor_id' }, t('console.audit.actor')),
      el('select', { id: 'audit-actor_id', name: 'actor_id' }, el('option', { value: '' }, t('console.filter.any')),
        users.map((u) => el('option', { value: String(u.id), selected: String(params.actor_id) === String(u.id) }, u.email)))),
    el('div', { class: 'field' }, el('label', { for: 'audit-from' }, t('console.filter.from')), el('input', { id: 'audit-from', name: 'from', type: 'date', value: params.from ?? '' })),
    el('div', { class: 'field' }, el('label', { for: 'audit-to' }, t('console.filter.to')), el('input', { id: 'audit-to', name: 'to', type: 'date', value: params.to ?? '' })));
  form.addEventListener('change', () => auditScreen(Object.fromEntries(new FormData(form))));
  form.addEventListener('submit', (e) => e.preventDefault());
  const list = el('div', { class: 'audit-list' });
  panel.replaceChildren(el('h2', { id: 'h-audit' }, t('console.tab.audit')), form, list);
  try {
    const page = await api(`/audit${query({ ...params, limit: PAGE_SIZE })}`);
    list.replaceChildren(...(itemsOf(page).length ? itemsOf(page).map(auditEvent) : [el('p', { class: 'note' }, t('staff.list.empty'))]));
  } catch (err) {
    list.replaceChildren(el('p', { class: 'form-error' }, t('staff.form.not_saved', { message: err.message })));
  }
}

// flatten lifts the fields of a record wrapped in the audit row ({"user": {...}, "password_changed": ...})
// to the top, so that before and after compare field by field.
function flatten(v, other) {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    if (x && typeof x === 'object' && !Array.isArray(x) && !(k in (other || {}))) Object.assign(out, x);
    else out[k] = x;
  }
  return out;
}

function auditEvent(e) {
  const before = flatten(e.before, e.after);
  const after = flatten(e.after, e.before);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const show = (v) => (v === undefined ? '' : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  const rows = keys.map((k) => {
    const changed = show(before[k]) !== show(after[k]);
    return el('tr', { class: changed ? 'changed' : '', dataset: { field: k, changed: String(changed) } },
      el('th', { scope: 'row' }, changed ? `● ${k}` : k), el('td', {}, show(before[k])), el('td', {}, show(after[k])));
  });
  return el('article', { class: 'card audit-event', dataset: { id: String(e.id), entity: e.entity, entityId: String(e.entity_id ?? ''), action: e.action } },
    el('h3', {}, t('console.audit.event', { action: e.action, entity: e.entity, id: e.entity_id ?? '', actor: e.actor, at: dateTime(e.at) })),
    keys.length ? el('div', { class: 'table-wrap' }, el('table', { class: 'list diff' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('console.audit.field')), el('th', { scope: 'col' }, t('console.audit.before')), el('th', { scope: 'col' }, t('console.audit.after')))),
      el('tbody', {}, rows))) : null);
}

const ADMIN_SCREENS = { funds: fundsScreen, users: usersScreen, audit: () => auditScreen() };
// Screens of every signed-in user beyond the lists (issue 11: ageing and forecast, reminders).
const SCREENS = {};

function payPledge(pledge) {
  showTab('contributions');
  const select = $('#contribution-pledge');
  select.value = String(pledge.id);
  select.dispatchEvent(new Event('change'));
  $('#contribution-amount').focus();
}

// ---- void / cancel -----------------------------------------------------------------------

function askReason({ title, subject, confirm, send, done, message = () => t('staff.reason.done'), merge = null }) {
  const dialog = $('#reason-dialog');
  const form = $('#reason-form');
  clearErrors(form);
  form.reset();
  $('#merge-into-field').hidden = !merge;
  if (merge) {
    const select = $('#merge-into');
    select.replaceChildren(el('option', { value: '' }, select.dataset.empty),
      ...data.donors.filter((d) => String(d.id) !== String(merge.id))
        .map((d) => el('option', { value: String(d.id) }, OPTION_LABELS.donors(d))));
  }
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
    if (merge && !$('#merge-into').value) {
      fieldError(form, 'into_id', t('console.merge.choose'));
      return;
    }
    try {
      const result = await send(reason, merge ? byId('donors', $('#merge-into').value)?.id : undefined);
      dialog.close();
      setStatus(message(result));
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
  me = user;
  for (const b of $$('[data-admin]')) b.hidden = user?.role !== 'admin';
  const wanted = location.hash.slice(1);
  showTab(wanted in LISTS || wanted === 'exports' || wanted === 'imports' || wanted in SCREENS || (wanted in ADMIN_SCREENS && user?.role === 'admin') ? wanted : 'pledges');
  document.body.dataset.state = 'ready';
}

function showTab(name) {
  setStatus(''); // an action's message belongs to the tab it was made on
  for (const button of $$('[data-tab]')) button.setAttribute('aria-pressed', String(button.dataset.tab === name));
  for (const panel of $$('.tab-panel')) panel.hidden = panel.id !== `tab-${name}`;
  // The filters sit right above the list they narrow, apart from the "new" form (issue 14).
  const anchor = $(`[data-list="${name}"]`) ?? (name === 'exports' ? $('#tab-exports .actions') : null);
  if (anchor) anchor.before($('#filters'));
  // Only the filters that apply to the list shown.
  for (const field of $$('#filters [data-tabs]')) field.hidden = !field.dataset.tabs.split(' ').includes(name);
  $('#filters').hidden = !$$('#filters [data-tabs]').some((f) => !f.hidden);
  history.replaceState(null, '', `${location.pathname}${location.search}#${name}`);
  if (lists[name]) lists[name].load();
  if (ADMIN_SCREENS[name]) ADMIN_SCREENS[name]();
  SCREENS[name]?.();
}

// The CSV links carry the filters, bom=1 (so that spreadsheets read UTF-8) and, for
// contributions, voided=exclude unless another choice is made in the filters.
function updateExportLinks() {
  const f = filters();
  const common = { fund_id: byId('funds', f.fund_id)?.id ?? f.fund_id, currency: f.currency, q: f.q, earmarking: f.earmarking, from: f.from, to: f.to };
  $('#export-contributions').href = `/api/v1/exports/contributions.csv${query({ ...common, voided: f.voided || 'exclude', bom: 1 })}`;
  $('#export-pledges').href = `/api/v1/exports/pledges.csv${query({ ...common, status: f.status, stage: f.stage, bom: 1 })}`;
  updateReportLinks(byId('funds', f.fund_id), data.funds);
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
  $('#edit-back').addEventListener('click', () => $('#edit-dialog').close());

  amountPreview($('#pledge-form'), 'pledged_on', $('#pledge-quote'));
  // Issue 11: the pledge form's schedule, each pledge's instalments, ageing, forecast, reminders.
  const issue11 = instalments({ fieldError, clearErrors, showApiError, formMessage, actionButton, refresh, handleError, data, me: () => me });
  Object.assign(SCREENS, issue11.screens);
  handleForm($('#pledge-form'), {
    extra: issue11.scheduleBody,
    message: (p) => t('staff.pledge.saved', { amount: money(p.amount, p.currency), usd: money(p.amount_usd) }),
    saved: () => refresh('pledges'),
  });
  donorForm();
  handleForm($('#rate-form'), {
    message: (r) => t('staff.rate.saved', { currency: r.currency, rate: formatDecimal(r.units_per_usd), date: date(r.effective_on) }),
    saved: () => refresh('rates'),
  });
  contributionForm();

  // Signed in already in this tab? The session cookie is HttpOnly, so the page cannot see
  // it: it remembers the signed-in user for the tab and asks the API whether the session holds.
  // A session made in another tab is the same cookie: GET /auth/me recognises it.
  try {
    const user = await api('/auth/me');
    sessionStorage.setItem(USER_KEY, JSON.stringify(user ?? {}));
    await signedIn(user);
    updateExportLinks();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signedOut();
    else handleError(err);
  }
}

main();
