// Issue 12 in the staff console: the Import tab. Choose what the file holds, drop or choose
// the file, check it (a dry run: counts, totals per currency and in USD to compare with the
// bank statement, every problem with its row and column), fix the file and choose it again,
// then import it: the Import button is enabled only after a clean dry run of the same bytes
// and the same kind. Past imports are listed below. Templates per kind, with the headers in
// the page's language, are links to GET /imports/templates/{kind}.csv|.xlsx.
// Kept apart from staff.js: staff.js shows the panel (data-tab="imports"), this fills it.
import { t, tn, tEnum, lang } from './i18n.js';
import { money, count, dateTime } from './format.js';
import { api, itemsOf, query, ApiError } from './api.js';
import { el, $ } from './dom.js';

const HISTORY_PAGE = 25;

// The file chosen, read once into memory: the dry run and the commit send the same bytes
// (a file edited on disk after its dry run must be chosen and checked again).
let chosen = null; // { name, size, blob, seq }
let checked = null; // { seq, kind } of the last clean dry run
let seq = 0;
let sending = false;

const form = () => $('#import-form');
const kind = () => $('#import-kind').value;

function message(text, ok = false) {
  const p = $('#import-form .form-error');
  p.textContent = text;
  p.classList.toggle('ok', ok);
}

const size = (n) => t('import.kb', { n: count(Math.max(1, Math.round(n / 1024))) });

// updateCommit enables Import only after a clean dry run of this file and kind.
function updateCommit() {
  const ready = !sending && chosen && checked && checked.seq === chosen.seq && checked.kind === kind();
  $('#import-commit').disabled = !ready;
  $('#import-dry-run').disabled = sending;
  form().dataset.ready = ready ? 'true' : 'false';
}

function updateTemplates() {
  for (const ext of ['csv', 'xlsx']) {
    $(`#import-template-${ext}`).href = `/api/v1/imports/templates/${kind()}.${ext}${query({ lang })}`;
  }
}

async function choose(file) {
  if (!file) return;
  const blob = new Blob([await file.arrayBuffer()], { type: file.type || 'application/octet-stream' });
  chosen = { name: file.name, size: file.size, blob, seq: ++seq };
  checked = null;
  $('#import-file-name').textContent = t('import.chosen', { name: file.name, size: size(file.size) });
  $('#import-result').replaceChildren();
  message('');
  updateCommit();
}

// send posts the chosen file: mode dry_run or commit. It answers the status and the JSON body.
async function send(mode, idempotencyKey) {
  const body = new FormData();
  body.append('kind', kind());
  body.append('mode', mode);
  body.append('file', chosen.blob, chosen.name);
  const headers = { Accept: 'application/json' };
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  const res = await fetch('/api/v1/imports', { method: 'POST', body, headers, credentials: 'same-origin' });
  const data = await res.json().catch(() => null);
  return { status: res.status, data };
}

// ---- what the answers show ---------------------------------------------------------------

function countsList(r) {
  const keys = ['rows', 'valid', 'invalid', 'created', 'duplicates', 'would_create'].filter((k) => k in r);
  return el('dl', { class: 'import-counts' }, keys.map((k) => el('div', { dataset: { count: k, value: String(r[k]) } },
    el('dt', {}, t(`import.count.${k}`)), el('dd', {}, count(r[k])))));
}

function totalsTable(totals) {
  if (!totals) return null;
  const rows = totals.by_currency.map((c) => el('tr', { dataset: { currency: c.currency, amount: c.amount } },
    el('th', { scope: 'row' }, c.currency), el('td', { class: 'num' }, money(c.amount, c.currency))));
  return el('div', { class: 'import-totals' },
    el('h4', {}, t('import.totals')),
    rows.length ? el('div', { class: 'table-wrap' }, el('table', { class: 'list' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('staff.field.currency')), el('th', { scope: 'col', class: 'num' }, t('staff.field.amount')))),
      el('tbody', {}, rows))) : null,
    el('p', { class: 'totals', dataset: { usd: totals.amount_usd } }, t('import.total_usd', { usd: money(totals.amount_usd) })));
}

// errorsTable lists every problem beside its row and column, as the server sent them (by row).
function errorsTable(errors) {
  const rows = errors.map((e) => el('tr', { dataset: { row: String(e.row), column: e.column ?? '', field: e.field } },
    el('td', { class: 'num' }, count(e.row)),
    el('td', {}, e.column ?? el('span', { class: 'secondary' }, t('import.no_column'))),
    el('td', {}, el('code', {}, e.field)),
    el('td', { class: 'problem' }, e.problem)));
  return el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-labelledby': 'import-errors-title' },
    el('table', { class: 'list import-errors' },
      el('caption', { id: 'import-errors-title' }, tn('import.errors', errors.length, { count: count(errors.length) })),
      el('thead', {}, el('tr', {}, ['import.col.row', 'import.col.column', 'import.col.field', 'import.col.problem']
        .map((k) => el('th', { scope: 'col' }, t(k))))),
      el('tbody', {}, rows)));
}

function showDryRun(r) {
  const clean = r.invalid === 0 && r.rows > 0;
  const verdict = clean ? tn('import.clean', r.would_create, { count: count(r.would_create) })
    : r.rows === 0 ? t('import.empty') : t('import.fix');
  $('#import-result').replaceChildren(el('article', { class: `card import-dry-run ${clean ? 'clean' : 'invalid'}`, dataset: { state: clean ? 'clean' : 'invalid' } },
    el('h3', {}, t('import.dry.title', { name: chosen.name, kind: tEnum('import.kind', r.kind) })),
    countsList(r),
    totalsTable(r.totals),
    el('p', { class: clean ? 'verdict ok' : 'verdict error' }, verdict),
    r.errors?.length ? errorsTable(r.errors) : null));
}

function showCommitted(r) {
  $('#import-result').replaceChildren(el('article', { class: 'card import-done', dataset: { state: 'committed', id: String(r.id) } },
    el('h3', {}, t('import.done.title', { name: chosen.name, id: String(r.id) })),
    countsList(r),
    el('p', {}, tn('import.done', r.created, { created: count(r.created), duplicates: count(r.duplicates) })),
    totalsTable(r.totals),
    el('p', {}, t('import.sha256'), ' ', el('code', { class: 'sha256', dir: 'ltr' }, r.sha256))));
}

function showRefused(data) {
  const errors = data?.errors ?? data?.error?.errors ?? [];
  $('#import-result').replaceChildren(el('article', { class: 'card import-refused', dataset: { state: 'refused' } },
    el('h3', {}, t('import.refused.title', { name: chosen.name })),
    el('p', { class: 'verdict error' }, t('import.refused', { message: data?.error?.message ?? '' })),
    errors.length ? errorsTable(errors) : null));
}

// failed shows an answer that is not a result (a bad form, a file too large, signed out...).
function failed(status, data) {
  if (status === 401) {
    message(t('staff.session_expired'));
    return;
  }
  const err = new ApiError(status, data);
  const fields = Object.entries(err.fields).map(([k, v]) => `${k}: ${v}`);
  message([t('import.failed', { message: err.message }), ...fields.filter((f) => !f.endsWith(err.message))].join(' '));
}

// ---- actions -----------------------------------------------------------------------------

// busy runs one request at a time, with its message while it runs; the buttons wait.
async function busy(text, run) {
  sending = true;
  updateCommit();
  message(text, true);
  try {
    await run();
  } catch {
    message(t('common.network_error'));
  } finally {
    sending = false;
    updateCommit();
  }
}

const newKey = () => crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(16).slice(2)}`;

async function dryRun() {
  if (!chosen) {
    message(t('import.no_file'));
    $('#import-drop').focus();
    return;
  }
  const sent = chosen;
  const k = kind();
  await busy(t('import.checking', { name: sent.name }), async () => {
    const { status, data } = await send('dry_run');
    if (sent !== chosen) return; // another file was chosen meanwhile
    checked = null;
    if (status !== 200) {
      $('#import-result').replaceChildren();
      failed(status, data);
      return;
    }
    message('');
    showDryRun(data);
    // One Idempotency-Key per clean dry run: a second click, or a retry after a lost
    // answer, cannot import the file twice.
    if (data.invalid === 0 && data.rows > 0) checked = { seq: sent.seq, kind: k, key: newKey() };
  });
}

async function commit() {
  if (!chosen || !checked) return;
  const { key } = checked;
  await busy(t('import.committing', { name: chosen.name }), async () => {
    const { status, data } = await send('commit', key);
    if (status === 201) {
      message('');
      showCommitted(data);
      checked = null; // imported: importing the same file again needs a new dry run (and finds duplicates)
      loadHistory();
    } else if (status === 422 && (data?.errors || data?.error?.errors)) {
      message('');
      checked = null;
      showRefused(data);
    } else {
      failed(status, data);
    }
  });
}

// ---- past imports ------------------------------------------------------------------------

let cursor = '';

async function loadHistory(more = false) {
  const root = $('#import-history');
  if (!root) return;
  if (!more) cursor = '';
  root.dataset.state = 'loading';
  try {
    const page = await api(`/imports${query({ limit: HISTORY_PAGE, cursor })}`);
    const rows = itemsOf(page).map((i) => el('tr', { dataset: { id: String(i.id), kind: i.kind } },
      el('td', {}, dateTime(i.created_at)),
      el('td', {}, i.created_by),
      el('td', {}, el('span', { dir: 'auto' }, i.filename || '—')),
      el('td', {}, tEnum('import.kind', i.kind)),
      el('td', { class: 'num' }, size(i.size)),
      el('td', { class: 'num' }, count(i.rows)),
      el('td', { class: 'num' }, count(i.created)),
      el('td', { class: 'num' }, count(i.duplicates)),
      el('td', {}, el('code', { class: 'sha256-short', dir: 'ltr', title: i.sha256 }, i.sha256.slice(0, 12)))));
    let body = $('tbody', root);
    if (!more || !body) {
      body = el('tbody', {}, rows);
      const head = ['import.col.when', 'import.col.by', 'import.col.file', 'import.kind', 'import.col.size', 'import.count.rows',
        'import.col.created', 'import.count.duplicates', 'import.col.sha256'];
      const moreButton = el('button', { type: 'button', class: 'small', id: 'import-history-more' }, t('staff.list.more'));
      moreButton.addEventListener('click', () => loadHistory(true));
      root.replaceChildren(
        el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-labelledby': 'h-import-history' },
          el('table', { class: 'list' }, el('thead', {}, el('tr', {}, head.map((k, i) => el('th', { scope: 'col', class: i >= 4 && i <= 7 ? 'num' : undefined }, t(k))))), body)),
        el('p', { class: 'note', hidden: rows.length > 0 }, t('import.none')),
        el('p', {}, moreButton));
    } else {
      body.append(...rows);
    }
    cursor = page?.next ?? '';
    $('#import-history-more').hidden = !cursor;
    root.dataset.state = 'ready';
  } catch (err) {
    root.replaceChildren(el('p', { class: 'form-error' }, t('common.load_failed', { message: err.message })));
    root.dataset.state = 'error';
  }
}

// ---- start -------------------------------------------------------------------------------

function start() {
  const panel = $('#tab-imports');
  if (!panel) return; // a read-only role: the tab was removed
  const input = $('#import-file');
  const zone = $('#import-drop');
  form().addEventListener('submit', (e) => { e.preventDefault(); dryRun(); });
  $('#import-commit').addEventListener('click', commit);
  $('#import-kind').addEventListener('change', () => {
    updateTemplates();
    updateCommit();
    if (chosen && !sending) $('#import-result').replaceChildren(); // the last dry run was of another kind
  });
  // The input is emptied once read: the same file, fixed and chosen again, is a change again.
  input.addEventListener('change', () => choose(input.files[0]).finally(() => { input.value = ''; }));
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    choose(e.dataTransfer.files[0]);
  });
  zone.addEventListener('click', () => input.click());
  zone.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      input.click();
    }
  });
  updateTemplates();
  updateCommit();
  // The past imports load when the tab shows (staff.js shows and hides the panels).
  const shown = () => { if (!panel.hidden) loadHistory(); };
  new MutationObserver(shown).observe(panel, { attributes: true, attributeFilter: ['hidden'] });
  shown();
}

start();
