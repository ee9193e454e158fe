// Issue 11 in the staff console: the pledge form's schedule (none, explicit rows with their
// running sum against the pledge's amount, or generated), each pledge's instalments with
// their status, write-off and reschedule, the ageing list and the cash forecast (tables and
// charts), and the reminders outbox. Kept apart from staff.js, which hands it its form
// helpers (instalments() below) and shows its screens as tabs.
// Money is never a float here: amounts are summed in minor units as BigInt; the charts alone
// draw Numbers (chartNumber), their tooltips show the API's exact strings.
import { t, tn, tEnum, isRTL, locale, lang, fundLabel } from './i18n.js';
import { money, date, dateTime, month, today, minorUnits, formatDecimal, chartNumber, count } from './format.js';
import { api, itemsOf, query, ApiError } from './api.js';
import { el, $, $$, setStatus } from './dom.js';
import { parseAmount } from './amount.js';
import { loadChart } from './public.js';

let h; // the helpers of staff.js: fieldError, clearErrors, showApiError, formMessage, actionButton, refresh, handleError, data, me
const READ_ONLY = ['viewer', 'auditor'];
const canWrite = () => { const me = h.me(); return Boolean(me) && !READ_ONLY.includes(me.role); };

// ---- exact decimals ----------------------------------------------------------------------

// toMinor reads a plain decimal string ("1234.5") as a BigInt of minor units (places decimals).
function toMinor(value, places) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(value ?? '').trim());
  if (!m) return null;
  const frac = (m[3] || '').padEnd(places, '0');
  if (frac.length > places) return null;
  const n = BigInt(m[2] + frac);
  return m[1] ? -n : n;
}

// fromMinor writes minor units back as the API's decimal string.
function fromMinor(n, places) {
  const neg = n < 0n;
  const s = (neg ? -n : n).toString().padStart(places + 1, '0');
  const out = places ? `${s.slice(0, -places)}.${s.slice(-places)}` : s;
  return neg ? `-${out}` : out;
}

const sumOf = (values, places) => values.reduce((a, v) => a + (toMinor(v, places) ?? 0n), 0n);
const usdTotal = (values) => fromMinor(sumOf(values, 2), 2);

// A calendar month later, the day kept or the month's last day (as the server generates).
function addMonths(first, months) {
  const [y, m, d] = first.split('-').map(Number);
  const last = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  const at = new Date(Date.UTC(y, m - 1 + months, Math.min(d, last)));
  return at.toISOString().slice(0, 10);
}

const placesOf = (currency) => minorUnits(String(currency || '').trim().toUpperCase()) ?? 2;
const badge = (group, status) => el('span', { class: `badge status-${status}`, dataset: { status } }, tEnum(group, status));

// ---- a schedule's rows (the pledge form and the reschedule form) ---------------------------

// RowsEditor edits explicit instalments: rows of due date and amount, added and removed,
// named schedule[i].due_on and schedule[i].amount (the names the API's 422 answers use, so
// that a problem shows beside its field), and a running sum against the target.
class RowsEditor {
  constructor(form, { prefix, holder, sum, currency, target, hint }) {
    Object.assign(this, { form, prefix, holder, sum, currency, target, hint });
    this.list = el('div', { class: 'schedule-row-list' });
    this.add = el('button', { type: 'button', class: 'small', dataset: { action: 'add-row' } }, t('inst.row.add'));
    this.add.addEventListener('click', () => {
      const last = $$('input[type="date"]', this.list).map((i) => i.value).filter(Boolean).pop();
      this.addRow(last ? addMonths(last, 1) : '', '');
      $$('input[type="date"]', this.list).pop().focus();
    });
    holder.replaceChildren(this.list, el('p', {}, this.add));
    form.addEventListener('input', () => this.update());
    form.addEventListener('change', () => this.update());
  }

  rows() { return $$('.schedule-row', this.list); }

  addRow(due, amount) {
    const row = el('div', { class: 'schedule-row' },
      el('div', { class: 'field' }, el('label', {}, t('staff.field.due_on')), el('input', { type: 'date', value: due, dataset: { skip: '', part: 'due_on' } })),
      el('div', { class: 'field' }, el('label', {}, t('staff.field.amount')),
        el('input', { inputmode: 'decimal', autocomplete: 'off', value: amount, dataset: { skip: '', part: 'amount' } })));
    const remove = el('button', { type: 'button', class: 'small', dataset: { action: 'remove-row' } }, t('inst.row.remove'));
    remove.addEventListener('click', () => {
      row.remove();
      this.renumber();
      this.update();
    });
    row.append(remove);
    this.list.append(row);
    this.renumber();
    this.update();
  }

  set(rows) {
    this.list.replaceChildren();
    for (const [due, amount] of rows) this.addRow(due, amount);
  }

  // renumber names each row's fields by its place (the API names problems by index).
  renumber() {
    this.rows().forEach((row, i) => {
      row.dataset.index = String(i);
      for (const input of $$('input', row)) {
        const part = input.dataset.part;
        input.name = `schedule[${i}].${part}`;
        input.id = `${this.prefix}-${i}-${part}`;
        input.previousElementSibling.setAttribute('for', input.id);
        input.previousElementSibling.textContent = t(part === 'amount' ? 'inst.row.amount' : 'inst.row.due_on', { n: i + 1 });
      }
      $('button', row).setAttribute('aria-label', t('inst.row.remove_n', { n: i + 1 }));
    });
  }

  // read gives the rows as the API takes them; problems gets the amounts that cannot be read.
  read(problems = {}) {
    const places = placesOf(this.currency());
    return this.rows().map((row, i) => {
      const due = $('[data-part="due_on"]', row).value;
      const typed = $('[data-part="amount"]', row).value;
      const r = parseAmount(typed, places);
      if (!r.value) problems[`schedule[${i}].amount`] = t(r.error, { choices: (r.choices || []).map((c) => formatDecimal(c)).join(' / '), places: String(r.places ?? ''), currency: this.currency() });
      return { due_on: due, amount: r.value ?? typed };
    });
  }

  // update shows the running sum of the rows against the target (the pledge's amount, or
  // amount − written off when rescheduling).
  update() {
    if (this.holder.hidden) return;
    const currency = String(this.currency() || '').trim().toUpperCase();
    const places = placesOf(currency);
    const amounts = this.read().map((r) => r.amount);
    const readable = amounts.every((a) => toMinor(a, places) !== null);
    const sum = sumOf(amounts, places);
    const target = this.target();
    const targetMinor = target ? toMinor(target, places) : null;
    const show = (v) => (currency ? money(v, currency) : formatDecimal(v));
    let state = 'unknown';
    let text = tn('inst.sum', amounts.length, { sum: show(fromMinor(sum, places)), count: count(amounts.length) });
    if (targetMinor !== null && readable) {
      const diff = targetMinor - sum;
      state = diff === 0n ? 'equal' : diff > 0n ? 'short' : 'over';
      text = t(`inst.sum.${state}`, { sum: show(fromMinor(sum, places)), target: show(target), diff: show(fromMinor(diff < 0n ? -diff : diff, places)) });
    }
    this.sum.textContent = this.hint ? `${this.hint()} ${text}` : text;
    Object.assign(this.sum.dataset, { state, sum: fromMinor(sum, places) });
  }
}

// ---- the pledge form's schedule ------------------------------------------------------------

let pledgeRows;

function scheduleEditor() {
  const form = $('#pledge-form');
  const mode = () => $('input[name="schedule_mode"]:checked', form)?.value ?? 'none';
  const amountTarget = () => {
    const r = parseAmount(form.elements.amount.value, placesOf(form.elements.currency.value));
    return r.value ?? '';
  };
  const sum = $('#schedule-sum');
  pledgeRows = new RowsEditor(form, {
    prefix: 'pledge-schedule', holder: $('#schedule-rows'), sum,
    currency: () => form.elements.currency.value, target: amountTarget,
  });
  const sync = () => {
    const m = mode();
    $('#schedule-generated').hidden = m !== 'generated';
    $('#schedule-rows').hidden = m !== 'rows';
    $('#schedule-field').hidden = m === 'none';
    // With a schedule, the pledge is due when its last instalment is: due_on is not asked.
    $('#pledge-due-on-field').hidden = m !== 'none';
    if (m !== 'none') form.elements.due_on.value = '';
    if (m === 'rows' && !pledgeRows.rows().length) {
      const first = form.elements.pledged_on.value || today();
      pledgeRows.set([[addMonths(first, 3), ''], [addMonths(first, 6), '']]);
    }
    if (m === 'generated' && !$('#schedule-first-due-on').value) $('#schedule-first-due-on').value = addMonths(form.elements.pledged_on.value || today(), 3);
    form.dataset.schedule = m;
    if (m === 'rows') pledgeRows.update();
    if (m === 'generated') generatedPreview();
  };
  // The generated schedule as the server will make it: equal parts, the remainder on the last.
  const generatedPreview = () => {
    const currency = form.elements.currency.value.trim().toUpperCase();
    const places = placesOf(currency);
    const total = toMinor(amountTarget(), places);
    const n = Number($('#schedule-instalments').value);
    const first = $('#schedule-first-due-on').value;
    const months = { month: 1, quarter: 3, year: 12 }[$('#schedule-every').value];
    if (total === null || !Number.isInteger(n) || n < 1 || n > 600 || !first || !currency) {
      sum.textContent = t('inst.generated.incomplete');
      sum.dataset.state = 'unknown';
      return;
    }
    const part = total / BigInt(n);
    const last = total - part * BigInt(n - 1);
    const dates = Array.from({ length: n }, (_, i) => addMonths(first, i * months));
    sum.textContent = tn('inst.generated.preview', n, {
      n: count(n), part: money(fromMinor(part, places), currency), last: money(fromMinor(last, places), currency),
      first: date(dates[0]), end: date(dates[n - 1]),
    });
    Object.assign(sum.dataset, { state: part > 0n ? 'equal' : 'over', sum: fromMinor(total, places) });
  };
  form.addEventListener('change', (event) => { if (event.target.name === 'schedule_mode' || event.target === form) sync(); });
  form.addEventListener('input', () => { if (mode() === 'generated') generatedPreview(); });
  form.addEventListener('change', () => { if (mode() === 'generated') generatedPreview(); });
  form.addEventListener('reset', () => setTimeout(() => {
    pledgeRows.set([]);
    $('#schedule-first-due-on').value = '';
    sync();
  }));
  sync();
  return mode;
}

let scheduleMode = () => 'none';

// scheduleBody is what the pledge form adds to its body: the schedule chosen (none: nothing).
function scheduleBody(problems = {}) {
  const m = scheduleMode();
  if (m === 'rows') return { schedule: pledgeRows.read(problems) };
  if (m !== 'generated') return {};
  const n = $('#schedule-instalments').value.trim();
  return { schedule: { instalments: /^\d+$/.test(n) ? Number(n) : n, every: $('#schedule-every').value, first_due_on: $('#schedule-first-due-on').value } };
}

// ---- a pledge's instalments: list, write off, reschedule -----------------------------------

function instalmentTable(p) {
  const cols = ['inst.col.seq', 'staff.field.due_on', 'staff.field.amount', 'staff.col.paid', 'inst.col.written_off', 'staff.col.outstanding', 'staff.col.status'];
  const num = new Set([0, 2, 3, 4, 5]);
  return el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('inst.title', { id: p.id }) },
    el('table', { class: 'list instalments' },
      el('thead', {}, el('tr', {}, cols.map((k, i) => el('th', { scope: 'col', class: num.has(i) ? 'num' : undefined }, t(k))))),
      el('tbody', {}, (p.instalments ?? []).map((i) => el('tr', { dataset: { seq: String(i.seq), status: i.status } },
        el('td', { class: 'num' }, count(i.seq)), el('td', {}, i.due_on ? date(i.due_on) : t('inst.no_due_date')),
        el('td', { class: 'num' }, money(i.amount, p.currency)), el('td', { class: 'num' }, money(i.paid, p.currency)),
        el('td', { class: 'num' }, money(i.written_off, p.currency)), el('td', { class: 'num' }, money(i.outstanding, p.currency)),
        el('td', {}, badge('instalment', i.status)))))));
}

function pledgeSummary(p) {
  const items = [
    ['staff.field.amount', money(p.amount, p.currency)],
    ['staff.col.paid', money(p.paid, p.currency)],
    ['inst.col.written_off', `${money(p.written_off, p.currency)} (${money(p.written_off_usd)})`],
    ['staff.col.outstanding', `${money(p.outstanding, p.currency)} (${money(p.outstanding_usd)})`],
    ['inst.next_due', p.next_due_on ? date(p.next_due_on) : t('inst.nothing_due')],
  ];
  return el('dl', { class: 'pledge-summary' }, items.flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, v)]),
    el('dt', {}, t('staff.col.status')), el('dd', {}, badge('status', p.status)));
}

async function openInstalments(id, message = '') {
  let dialog = $('#instalments-dialog');
  if (!dialog) {
    dialog = el('dialog', { id: 'instalments-dialog', class: 'card instalments-dialog', 'aria-labelledby': 'instalments-title' });
    dialog.addEventListener('close', () => dialog.remove());
    $('#console').append(dialog);
  }
  let p;
  try {
    p = await api(`/pledges/${encodeURIComponent(id)}`);
  } catch (err) {
    h.handleError(err);
    return;
  }
  const close = el('button', { type: 'button', id: 'instalments-close' }, t('access.close'));
  close.addEventListener('click', () => dialog.close());
  const open = canWrite() && !p.cancelled && BigInt(toMinor(p.outstanding, placesOf(p.currency)) ?? 0n) > 0n;
  dialog.dataset.pledge = String(p.id);
  dialog.replaceChildren(
    el('h2', { id: 'instalments-title' }, t('inst.title', { id: p.id })),
    el('p', {}, `${p.donor_name ?? ''} → ${fundLabel(h.data.funds.find((f) => String(f.id) === String(p.fund_id))) ?? p.fund_code ?? ''}${p.reference ? ` · ${p.reference}` : ''}`),
    pledgeSummary(p), instalmentTable(p),
    el('p', { id: 'instalments-message', class: 'form-error ok', role: 'status' }, message),
    ...(open ? [writeOffForm(p), rescheduleForm(p)] : []),
    el('div', { class: 'actions' }, close));
  if (!dialog.open) dialog.showModal();
}

// done re-reads the pledge into the dialog and the pledge list after a write.
async function done(p, message) {
  setStatus(message);
  await openInstalments(p.id, message);
  await h.refresh('pledges');
}

function writeOffForm(p) {
  const places = placesOf(p.currency);
  const form = el('form', { class: 'form grid', id: 'write-off-form', novalidate: true, dataset: { writes: '' } },
    el('h3', { class: 'field-wide' }, t('inst.writeoff.title')),
    el('div', { class: 'field' }, el('label', { for: 'write-off-amount' }, t('inst.writeoff.amount', { currency: p.currency })),
      el('input', { id: 'write-off-amount', name: 'amount', inputmode: 'decimal', autocomplete: 'off', 'aria-describedby': 'write-off-hint' }),
      el('p', { class: 'hint', id: 'write-off-hint' }, t('inst.writeoff.hint', { outstanding: money(p.outstanding, p.currency) }))),
    el('div', { class: 'field field-wide' }, el('label', { for: 'write-off-reason' }, t('staff.reason.label')),
      el('textarea', { id: 'write-off-reason', name: 'reason', rows: 2, required: true })),
    el('p', { class: 'form-error field-wide', role: 'alert' }),
    el('div', { class: 'actions field-wide' }, el('button', { type: 'submit', class: 'danger' }, t('inst.writeoff.submit'))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    h.clearErrors(form);
    const body = { reason: form.elements.reason.value.trim() };
    const typed = form.elements.amount.value.trim();
    if (typed) {
      const r = parseAmount(typed, places);
      if (!r.value) {
        h.fieldError(form, 'amount', t(r.error, { choices: (r.choices || []).map((c) => formatDecimal(c)).join(' / '), places: String(r.places ?? ''), currency: p.currency }));
        return;
      }
      body.amount = r.value;
    }
    if (!body.reason) {
      h.fieldError(form, 'reason', t('staff.reason.required'));
      form.elements.reason.focus();
      return;
    }
    try {
      const after = await api(`/pledges/${encodeURIComponent(p.id)}/write-off`, { method: 'POST', body });
      await done(after, t('inst.writeoff.done', { amount: money(fromMinor((toMinor(after.written_off, places) ?? 0n) - (toMinor(p.written_off, places) ?? 0n), places), p.currency), usd: money(after.written_off_usd) }));
    } catch (err) {
      h.showApiError(form, err);
    }
  });
  return form;
}

function rescheduleForm(p) {
  const places = placesOf(p.currency);
  const target = fromMinor((toMinor(p.amount, places) ?? 0n) - (toMinor(p.written_off, places) ?? 0n), places);
  const holder = el('div', { class: 'schedule-rows field-wide' });
  const sum = el('output', { id: 'reschedule-sum', name: 'schedule', class: 'schedule-sum', 'aria-live': 'polite' });
  const form = el('form', { class: 'form grid', id: 'reschedule-form', novalidate: true, dataset: { writes: '' } },
    el('h3', { class: 'field-wide' }, t('inst.reschedule.title')),
    el('p', { class: 'hint field-wide', id: 'reschedule-target', dataset: { target } },
      t('inst.reschedule.target', { target: money(target, p.currency), amount: money(p.amount, p.currency), written_off: money(p.written_off, p.currency) })),
    holder, el('div', { class: 'field field-wide' }, sum),
    el('p', { class: 'form-error field-wide', role: 'alert' }),
    el('div', { class: 'actions field-wide' }, el('button', { type: 'submit', class: 'primary' }, t('inst.reschedule.submit'))));
  const editor = new RowsEditor(form, { prefix: 'reschedule', holder, sum, currency: () => p.currency, target: () => target });
  // The current schedule as a start: each instalment less what was written off of it.
  editor.set((p.instalments ?? []).map((i) => [i.due_on ?? '', fromMinor((toMinor(i.amount, places) ?? 0n) - (toMinor(i.written_off, places) ?? 0n), places)])
    .filter(([, a]) => (toMinor(a, places) ?? 0n) > 0n));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    h.clearErrors(form);
    const problems = {};
    const schedule = editor.read(problems);
    if (Object.keys(problems).length) {
      for (const [n, m] of Object.entries(problems)) h.fieldError(form, n, m);
      return;
    }
    try {
      const after = await api(`/pledges/${encodeURIComponent(p.id)}/schedule`, { method: 'PUT', body: { schedule } });
      await done(after, tn('inst.reschedule.done', after.instalments?.length ?? 0, { id: after.id, n: count(after.instalments?.length ?? 0) }));
    } catch (err) {
      h.showApiError(form, err);
    }
  });
  return form;
}

// Each pledge row gets an Instalments button, beside its actions (not among them: viewers
// and auditors, whose row actions are removed, read instalments too).
function decorate() {
  const root = $('[data-list="pledges"]');
  const go = () => {
    for (const tr of $$('tbody tr[data-id]', root)) {
      if (tr.dataset.instalments) continue;
      tr.dataset.instalments = 'yes';
      const b = el('button', { type: 'button', class: 'small', dataset: { action: 'instalments' } }, t('inst.button'));
      b.addEventListener('click', () => openInstalments(tr.dataset.id));
      const holder = el('div', { class: 'row-instalments' }, b);
      const actions = $('.row-actions', tr);
      if (actions) actions.before(holder); else tr.append(el('td', {}, holder));
    }
  };
  new MutationObserver(go).observe(root, { childList: true, subtree: true });
  go();
}

// ---- ageing and forecast -------------------------------------------------------------------

const BUCKETS = ['current', '1-30', '31-90', '91-180', 'over_180'];
const charts = {};

function table(label, heads, rows, foot) {
  return el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': label },
    el('table', { class: 'list' },
      el('thead', {}, el('tr', {}, heads.map(([k, cls]) => el('th', { scope: 'col', class: cls }, t(k))))),
      el('tbody', {}, rows), foot ? el('tfoot', {}, foot) : null));
}

// barChart draws values (decimal strings of USD) by label; the tooltips show them exactly.
async function barChart(canvas, labels, values, label) {
  charts[canvas.id]?.destroy();
  delete charts[canvas.id];
  let Chart;
  try {
    Chart = await loadChart(null);
  } catch {
    return;
  }
  if (!canvas.isConnected) return;
  const css = getComputedStyle(document.documentElement);
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.locale = locale;
  if (matchMedia('(prefers-reduced-motion: reduce)').matches) Chart.defaults.animation = false;
  const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
  charts[canvas.id] = new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label, data: values.map(chartNumber), backgroundColor: css.getPropertyValue('--pledged').trim() }] },
    options: {
      responsive: true, maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: { rtl: isRTL, textDirection: isRTL ? 'rtl' : 'ltr', callbacks: { label: (c) => `${label}: ${money(values[c.dataIndex])}` } },
      },
      scales: {
        x: { reverse: isRTL },
        y: { beginAtZero: true, position: isRTL ? 'right' : 'left', ticks: { callback: (v) => compact.format(v) }, title: { display: true, text: t('fund.axis_usd') } },
      },
    },
  });
  canvas.closest('.chart-box').dataset.chart = 'ready';
}

function fundSelect(id, value) {
  return el('select', { id, name: 'fund' }, h.data.funds.map((f) => el('option', { value: f.code, selected: f.code === value }, fundLabel(f))));
}

const ageingState = {};

async function ageingScreen() {
  const panel = $('#tab-ageing');
  const filterFund = h.data.funds.find((f) => String(f.id) === $('#filter-fund').value)?.code;
  const s = ageingState;
  s.fund ??= filterFund ?? h.data.funds[0]?.code ?? '';
  s.asOf ??= today();
  s.from ??= today().slice(0, 7);
  s.months ??= '12';
  const controls = el('form', { class: 'filters', id: 'ageing-filters' },
    el('div', { class: 'field' }, el('label', { for: 'ageing-fund' }, t('staff.field.fund')), fundSelect('ageing-fund', s.fund)),
    el('div', { class: 'field' }, el('label', { for: 'ageing-as-of' }, t('inst.as_of')), el('input', { id: 'ageing-as-of', name: 'as_of', type: 'date', value: s.asOf })),
    el('div', { class: 'field' }, el('label', { for: 'forecast-from' }, t('inst.forecast.from')), el('input', { id: 'forecast-from', name: 'from', type: 'month', value: s.from, placeholder: 'YYYY-MM' })),
    el('div', { class: 'field' }, el('label', { for: 'forecast-months' }, t('inst.forecast.months')), el('input', { id: 'forecast-months', name: 'months', type: 'number', min: 1, max: 60, value: s.months })));
  controls.addEventListener('submit', (e) => e.preventDefault());
  controls.addEventListener('change', () => {
    Object.assign(s, { fund: $('#ageing-fund').value, asOf: $('#ageing-as-of').value, from: $('#forecast-from').value, months: $('#forecast-months').value });
    ageingScreen();
  });
  const ageing = el('section', { id: 'ageing', class: 'card', 'aria-labelledby': 'h-ageing-list', dataset: { state: 'loading', fund: s.fund, asOf: s.asOf } });
  const forecast = el('section', { id: 'forecast', class: 'card', 'aria-labelledby': 'h-forecast', dataset: { state: 'loading', fund: s.fund } });
  panel.replaceChildren(el('h2', { id: 'h-ageing' }, t('inst.tab.ageing')), controls, ageing, forecast);
  await Promise.all([showAgeing(ageing, s), showForecast(forecast, s)]);
}

function unavailable(section, heading, err) {
  section.append(el('p', { class: 'note' }, err instanceof ApiError && err.status === 404 ? t('inst.unavailable') : t('common.load_failed', { message: err.message })));
  section.dataset.state = 'error';
  if (err instanceof ApiError && err.status === 401) h.handleError(err);
}

async function showAgeing(section, s) {
  const fund = encodeURIComponent(s.fund);
  const q = query({ as_of: s.asOf });
  const csv = el('a', { class: 'button', id: 'ageing-csv', href: `/api/v1/funds/${fund}/ageing.csv${q}`, download: true }, t('inst.ageing.csv'));
  // The workbook, its headers and summary in the page's language.
  const xlsx = el('a', { class: 'button', id: 'ageing-xlsx', href: `/api/v1/funds/${fund}/ageing.xlsx${query({ as_of: s.asOf, lang })}`, download: true }, t('inst.ageing.xlsx'));
  section.replaceChildren(el('h3', { id: 'h-ageing-list' }, t('inst.ageing.title')), el('p', { class: 'actions' }, csv, ' ', xlsx));
  let a;
  try {
    a = await api(`/funds/${fund}/ageing${q}`);
  } catch (err) {
    unavailable(section, 'ageing', err);
    return;
  }
  const buckets = BUCKETS.map((b) => a.buckets?.find((x) => x.bucket === b) ?? { bucket: b, outstanding_usd: '0.00', instalments: 0 });
  const total = usdTotal(buckets.map((b) => b.outstanding_usd));
  const canvas = el('canvas', { id: 'ageing-chart', role: 'img', 'aria-label': t('inst.ageing.chart_alt') });
  section.append(
    el('p', { id: 'ageing-total', dataset: { usd: total } }, t('inst.ageing.total', { usd: money(total), date: date(a.as_of) })),
    el('div', { class: 'chart-box small-chart' }, canvas),
    table(t('inst.ageing.buckets'), [['inst.col.bucket'], ['inst.col.instalments', 'num'], ['inst.col.outstanding_usd', 'num']],
      buckets.map((b) => el('tr', { dataset: { bucket: b.bucket, usd: b.outstanding_usd } }, el('th', { scope: 'row' }, tEnum('bucket', b.bucket)),
        el('td', { class: 'num' }, count(b.instalments)), el('td', { class: 'num' }, money(b.outstanding_usd)))),
      el('tr', {}, el('th', { scope: 'row' }, t('inst.total')), el('td', { class: 'num' }, count(buckets.reduce((n, b) => n + b.instalments, 0))), el('td', { class: 'num' }, money(total)))),
    el('h3', {}, t('inst.ageing.items')),
    (a.items ?? []).length ? table(t('inst.ageing.items'), [['staff.col.donor_fund'], ['staff.field.reference'], ['inst.col.seq', 'num'], ['staff.field.due_on'],
      ['inst.col.days_overdue', 'num'], ['staff.col.outstanding', 'num'], ['inst.col.outstanding_usd', 'num'], ['inst.col.bucket']],
    a.items.map((i) => el('tr', { dataset: { pledge: String(i.pledge_id), seq: String(i.instalment_seq), bucket: i.bucket } },
      el('td', {}, i.donor_name ?? String(i.donor_id)), el('td', {}, i.reference ?? ''), el('td', { class: 'num' }, count(i.instalment_seq)),
      el('td', {}, i.due_on ? date(i.due_on) : t('inst.no_due_date')), el('td', { class: 'num' }, count(i.days_overdue)),
      el('td', { class: 'num' }, money(i.outstanding, i.currency)), el('td', { class: 'num' }, money(i.outstanding_usd)),
      el('td', {}, el('span', { class: `badge bucket-${i.bucket}` }, tEnum('bucket', i.bucket))))))
      : el('p', { class: 'note' }, t('inst.ageing.none')));
  section.dataset.state = 'ready';
  await barChart(canvas, buckets.map((b) => tEnum('bucket', b.bucket)), buckets.map((b) => b.outstanding_usd), t('inst.col.outstanding_usd'));
}

async function showForecast(section, s) {
  const fund = encodeURIComponent(s.fund);
  section.replaceChildren(el('h3', { id: 'h-forecast' }, t('inst.forecast.title')));
  let f;
  try {
    f = await api(`/funds/${fund}/forecast${query({ from: s.from, months: s.months })}`);
  } catch (err) {
    unavailable(section, 'forecast', err);
    return;
  }
  const items = f.items ?? [];
  const total = usdTotal(items.map((i) => i.expected_usd));
  const canvas = el('canvas', { id: 'forecast-chart', role: 'img', 'aria-label': t('inst.forecast.chart_alt') });
  section.append(
    el('p', { id: 'forecast-overdue', dataset: { usd: f.overdue_usd } }, t('inst.forecast.overdue', { usd: money(f.overdue_usd) })),
    el('p', { id: 'forecast-total', dataset: { usd: total } }, tn('inst.forecast.total', items.length, { usd: money(total), n: count(items.length) })),
    el('div', { class: 'chart-box small-chart' }, canvas),
    table(t('inst.forecast.title'), [['inst.col.period'], ['inst.col.instalments', 'num'], ['inst.col.expected_usd', 'num']],
      items.map((i) => el('tr', { dataset: { period: i.period, usd: i.expected_usd } }, el('th', { scope: 'row' }, month(i.period)),
        el('td', { class: 'num' }, count(i.instalments)), el('td', { class: 'num' }, money(i.expected_usd)))),
      el('tr', {}, el('th', { scope: 'row' }, t('inst.total')), el('td', { class: 'num' }, count(items.reduce((n, i) => n + i.instalments, 0))), el('td', { class: 'num' }, money(total)))));
  section.dataset.state = 'ready';
  await barChart(canvas, items.map((i) => month(i.period)), items.map((i) => i.expected_usd), t('inst.col.expected_usd'));
}

// ---- reminders outbox ----------------------------------------------------------------------

const reminderState = { status: '', fund: '' };

async function remindersScreen() {
  const panel = $('#tab-reminders');
  const s = reminderState;
  const statuses = ['', 'pending', 'sent', 'failed', 'skipped'];
  const controls = el('form', { class: 'filters', id: 'reminder-filters' },
    el('div', { class: 'field' }, el('label', { for: 'reminder-status' }, t('staff.col.status')),
      el('select', { id: 'reminder-status', name: 'status' }, statuses.map((v) => el('option', { value: v, selected: v === s.status }, v ? tEnum('reminder', v) : t('console.filter.any'))))),
    el('div', { class: 'field' }, el('label', { for: 'reminder-fund' }, t('staff.field.fund')),
      el('select', { id: 'reminder-fund', name: 'fund_id' }, el('option', { value: '' }, t('staff.filter.all_funds')),
        h.data.funds.map((f) => el('option', { value: String(f.id), selected: String(f.id) === s.fund }, fundLabel(f))))));
  controls.addEventListener('submit', (e) => e.preventDefault());
  controls.addEventListener('change', () => {
    Object.assign(s, { status: $('#reminder-status').value, fund: $('#reminder-fund').value });
    remindersScreen();
  });
  const extra = [];
  if (h.me()?.role === 'admin') {
    const run = el('button', { type: 'button', id: 'reminders-run', class: 'primary', dataset: { writes: '' } }, t('inst.reminders.run'));
    run.addEventListener('click', async () => {
      run.disabled = true;
      try {
        const r = await api('/reminders/run', { method: 'POST' });
        setStatus(tn('inst.reminders.ran', r?.queued ?? 0, { queued: count(r?.queued ?? 0), sent: count(r?.sent ?? 0), pending: count(r?.pending ?? 0) }));
        await remindersScreen();
      } catch (err) {
        setStatus(t('staff.form.not_saved', { message: err.message }), true);
      } finally {
        run.disabled = false;
      }
    });
    extra.push(el('p', { class: 'actions' }, run));
  }
  const list = el('div', { id: 'reminders', dataset: { state: 'loading' } });
  panel.replaceChildren(el('h2', { id: 'h-reminders' }, t('inst.tab.reminders')), el('p', { class: 'note' }, t('inst.reminders.intro')), ...extra, controls, list);
  let page;
  try {
    page = await api(`/reminders${query({ status: s.status, fund_id: s.fund, limit: 200 })}`);
  } catch (err) {
    unavailable(list, 'reminders', err);
    return;
  }
  // Without a mail server pending reminders are for staff to send by hand: the list says
  // whether mail is set up ("mail"); with mail set up the scheduler sends them within the
  // minute. A pending or failed reminder shows its message (Preview: subject and text in the
  // donor's language, and a mailto: link carrying them), and admin and staff mark one sent by
  // hand, so that the scheduler never e-mails it (also once a mail server is set up).
  const mail = page?.mail === true;
  const byHand = !mail;
  const canMark = ['admin', 'staff'].includes(h.me()?.role);
  const donor = (id) => h.data.donors.find((d) => String(d.id) === String(id))?.name ?? String(id);
  const items = itemsOf(page);
  const mailNote = el('p', { id: 'reminders-mail', class: 'note', dataset: { mail: String(mail) } },
    mail ? t('inst.reminders.mail_on') : t('inst.reminders.mail_off'));
  const heads = [['inst.col.created'], ['inst.col.donor'], ['inst.col.to'], ['inst.col.pledge'],
    ['inst.col.kind'], ['inst.col.language'], ['staff.col.status'], ['inst.col.sent_at'], ['staff.col.actions']];
  list.replaceChildren(mailNote, items.length ? table(t('inst.tab.reminders'), heads,
    items.map((r) => reminderRow(r, { byHand, canMark, donor, columns: heads.length }))) : el('p', { class: 'note' }, t('staff.list.empty')));
  list.dataset.state = 'ready';
}

function reminderStatusCell(td, r, byHand) {
  td.replaceChildren(...[badge('reminder', r.status),
    r.status === 'pending' && byHand ? [el('br'), el('small', { class: 'secondary by-hand' }, t('inst.reminders.by_hand'))] : [],
    r.error ? [el('br'), el('small', { class: 'reason' }, r.error)] : []].flat());
}

// reminderRow is one reminder of the outbox, with its actions: Preview (a pending or failed
// one) and Mark as sent by hand (admin and staff: pending without a mail server, or failed).
function reminderRow(r, { byHand, canMark, donor, columns }) {
  const status = el('td', {});
  reminderStatusCell(status, r, byHand);
  const sentAt = el('td', { class: 'sent-at' }, r.sent_at ? dateTime(r.sent_at) : '');
  const actions = el('td', { class: 'reminder-actions' });
  const tr = el('tr', { dataset: { id: String(r.id), status: r.status } },
    el('td', {}, dateTime(r.created_at)), el('td', {}, donor(r.donor_id)),
    el('td', { dir: 'ltr' }, r.to ? (r.status === 'pending' && byHand ? el('a', { href: `mailto:${mailtoAddress(r.to)}` }, r.to) : r.to) : '—'),
    el('td', {}, t('inst.reminders.pledge', { id: r.pledge_id, seq: r.instalment_seq })),
    el('td', {}, t('inst.reminders.kind', { kind: tEnum('reminder.kind', r.kind), n: count(r.sequence) })),
    el('td', { lang: r.language || null }, tEnum('language', r.language)),
    status, sentAt, actions);
  if (r.status !== 'pending' && r.status !== 'failed') return tr;
  const result = el('small', { class: 'reminder-result', role: 'status' });
  const preview = el('button', { type: 'button', class: 'small', dataset: { action: 'preview' }, 'aria-expanded': 'false' }, t('inst.reminders.preview'));
  let panel = null;
  preview.addEventListener('click', async () => {
    if (panel) {
      panel.remove();
      panel = null;
      preview.textContent = t('inst.reminders.preview');
      preview.setAttribute('aria-expanded', 'false');
      return;
    }
    preview.disabled = true;
    try {
      const m = await api(`/reminders/${r.id}/message`);
      panel = el('tr', { class: 'reminder-preview', dataset: { reminder: String(r.id) } }, el('td', { colspan: columns }, messagePreview(r, m)));
      tr.after(panel);
      preview.textContent = t('inst.reminders.hide_preview');
      preview.setAttribute('aria-expanded', 'true');
    } catch (err) {
      result.textContent = t('common.load_failed', { message: err.message });
      if (err instanceof ApiError && err.status === 401) h.handleError(err);
    } finally {
      preview.disabled = false;
    }
  });
  actions.append(preview);
  if (canMark && (r.status === 'failed' || byHand)) {
    const mark = el('button', { type: 'button', class: 'small', dataset: { action: 'sent-by-hand', writes: '' } }, t('inst.reminders.mark_sent'));
    mark.addEventListener('click', async () => {
      mark.disabled = true;
      try {
        const done = await api(`/reminders/${r.id}/sent-by-hand`, { method: 'POST', body: {} });
        tr.dataset.status = done.status;
        reminderStatusCell(status, done, byHand);
        sentAt.textContent = done.sent_at ? dateTime(done.sent_at) : '';
        const msg = t('inst.reminders.marked', { id: r.id });
        actions.replaceChildren(el('small', { class: 'reminder-result', role: 'status', dataset: { result: 'marked' } }, msg));
        panel?.remove();
        setStatus(msg);
      } catch (err) {
        mark.disabled = false;
        const msg = t('inst.reminders.not_marked', { id: r.id, message: err.message });
        result.textContent = msg;
        result.dataset.result = 'error';
        setStatus(msg, true);
        if (err instanceof ApiError && err.status === 401) h.handleError(err);
      }
    });
    actions.append(' ', mark);
  }
  actions.append(result);
  return tr;
}

// messagePreview shows a reminder's message as it would be e-mailed (in the donor's language
// and direction), with a mailto: link carrying its subject and text.
function messagePreview(r, m) {
  const lang = m.language || r.language || 'en';
  const dir = lang === 'ar' ? 'rtl' : 'ltr';
  const link = mailtoLink(m.to, m.subject, m.text);
  return el('div', { class: 'message-preview', 'aria-label': t('inst.reminders.preview_title') },
    el('p', { class: 'note' }, t('inst.reminders.preview_title')),
    el('dl', { class: 'message-head' },
      el('dt', {}, t('inst.reminders.to')), el('dd', { dir: 'ltr', class: 'message-to' }, m.to || '—'),
      el('dt', {}, t('inst.reminders.subject')), el('dd', { lang, dir, class: 'message-subject' }, m.subject)),
    el('pre', { lang, dir, class: 'message-text' }, m.text),
    m.to ? el('p', {}, el('a', { href: link.href, class: 'button small mail-link' }, t('inst.reminders.open_mail'))) : el('p', { class: 'note' }, t('inst.reminders.no_address')),
    m.to && link.truncated ? el('p', { class: 'note truncated' }, t('inst.reminders.truncated')) : null);
}

// Mail programs and browsers cut mailto: links past about 2,000 characters (Outlook on
// Windows stops at 2,083): the body is shortened, at a word, to keep the link within.
const MAILTO_MAX = 1800;

// mailtoAddress writes an address for a mailto: link ("@" kept, the rest percent-encoded).
const mailtoAddress = (to) => encodeURIComponent(to).replace(/%40/g, '@');

// mailtoLink is a mailto: link with subject and body, percent-encoded (RFC 6068: UTF-8,
// %20 for spaces, CRLF line ends), its body shortened when the link would be too long.
export function mailtoLink(to, subject, body, max = MAILTO_MAX) {
  const base = `mailto:${mailtoAddress(to ?? '')}?subject=${encodeURIComponent(subject ?? '')}&body=`;
  const enc = (s) => encodeURIComponent(s.replace(/\r?\n/g, '\r\n'));
  const text = String(body ?? '');
  if ((base + enc(text)).length <= max) return { href: base + enc(text), truncated: false };
  const chars = Array.from(text); // code points: a pair is never split
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) { // the longest beginning that fits, with the ellipsis
    const mid = Math.ceil((lo + hi) / 2);
    if ((base + enc(chars.slice(0, mid).join('') + ' …')).length <= max) lo = mid; else hi = mid - 1;
  }
  let cut = chars.slice(0, lo).join('');
  const space = cut.search(/\s\S*$/);
  if (space > cut.length / 2) cut = cut.slice(0, space);
  return { href: base + enc(cut.trimEnd() + ' …'), truncated: true };
}

// ---- start ---------------------------------------------------------------------------------

// instalments wires the module to the console and answers what staff.js needs of it.
export function instalments(helpers) {
  h = helpers;
  scheduleMode = scheduleEditor();
  decorate();
  return { scheduleBody, screens: { ageing: ageingScreen, reminders: remindersScreen } };
}
