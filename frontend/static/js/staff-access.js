// Issue 16 in the staff console: the signed-in user's role decides what shows (viewers and
// auditors get no form that writes; a fund manager's forms offer only its funds), the
// documents of each pledge and contribution (list, download, drag-and-drop upload,
// supersede). Users, with every role and a fund picker for fund managers, are the admin's
// Users tab (staff.js).
// Kept apart from staff.js: it hooks onto the console's lists and forms from outside.
import { t, tEnum, fundLabel } from './i18n.js';
import { date } from './format.js';
import { api, itemsOf, fetchAll, ApiError } from './api.js';
import { el, $, $$ } from './dom.js';

const READ_ONLY = ['viewer', 'auditor'];
let me = null;
let funds = [];

const canWriteFund = (fundId) => me && (me.role === 'admin' || me.role === 'staff' ||
  (me.role === 'fund_manager' && (me.fund_ids ?? []).some((id) => String(id) === String(fundId))));
const readOnly = () => !me || READ_ONLY.includes(me.role);

// ---- read-only console -----------------------------------------------------------------

// strip removes every control that writes (forms that post, row actions): viewers and
// auditors see the lists, exports and documents only.
function strip(root = document) {
  if (!readOnly()) return;
  for (const form of $$('form[data-endpoint]', root)) (form.closest('details.form-card') ?? form).remove();
  for (const actions of $$('.row-actions', root)) actions.replaceChildren();
  for (const w of $$('[data-writes]', root)) w.remove();
}

// A fund manager's forms offer its own funds only (the API refuses the others anyway).
function limitFundSelects() {
  if (me?.role !== 'fund_manager') return;
  for (const select of $$('form[data-endpoint] select[name="fund_id"]')) {
    for (const option of select.options) {
      if (option.value && !canWriteFund(option.value)) option.disabled = true;
    }
  }
}

// ---- documents -------------------------------------------------------------------------

const KINDS = ['agreement', 'remittance', 'correspondence', 'other'];

function message(node, text, isError) {
  node.textContent = text;
  node.classList.toggle('error', Boolean(isError));
}

async function upload(path, file, kind, note) {
  const form = new FormData();
  form.append('kind', kind);
  if (note) form.append('note', note);
  form.append('file', file, file.name);
  const res = await fetch(`/api/v1${path}`, { method: 'POST', body: form, credentials: 'same-origin', headers: { Accept: 'application/json' } });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// openDocuments shows a record's documents in a dialog.
async function openDocuments(recordType, record) {
  const base = `/${recordType}s/${encodeURIComponent(record.id)}/documents`;
  const writable = !readOnly() && canWriteFund(record.fundId);
  const list = el('ul', { class: 'documents', 'aria-live': 'polite' });
  const status = el('p', { class: 'form-message', role: 'status' });
  const dialog = el('dialog', { class: 'card documents-dialog', 'aria-labelledby': 'documents-title', dataset: { record: `${recordType}-${record.id}` } });

  async function load() {
    try {
      const docs = itemsOf(await api(base));
      list.replaceChildren(...(docs.length ? docs.map(item) : [el('li', { class: 'note' }, t('access.documents.none'))]));
    } catch (err) {
      message(status, err.message, true);
    }
  }

  function item(d) {
    const link = el('a', { href: `/api/v1/documents/${encodeURIComponent(d.id)}`, download: d.filename }, d.filename);
    const meta = el('small', { class: 'secondary' }, ` ${tEnum('access.kind', d.kind)} · ${Math.max(1, Math.round(d.size / 1024))} KB · ${d.uploaded_by} · ${date(d.uploaded_at.slice(0, 10))}${d.note ? ` · ${d.note}` : ''}`);
    const li = el('li', { dataset: { id: String(d.id) } }, link, meta);
    if (writable) {
      const b = el('button', { type: 'button', class: 'small', 'data-writes': true }, t('access.documents.supersede'));
      b.addEventListener('click', async () => {
        const reason = prompt(t('access.documents.supersede_reason'));
        if (!reason) return;
        try {
          await api(`/documents/${encodeURIComponent(d.id)}/supersede`, { method: 'POST', body: { reason } });
          message(status, t('access.documents.superseded'));
          load();
        } catch (err) {
          message(status, err.message, true);
        }
      });
      li.append(' ', b);
    }
    return li;
  }

  const children = [el('h2', { id: 'documents-title' }, t('access.documents.title', { record: record.label })), list, status];
  if (writable) {
    const kind = el('select', { id: 'document-kind', name: 'kind' }, KINDS.map((k) => el('option', { value: k }, tEnum('access.kind', k))));
    const note = el('input', { id: 'document-note', name: 'note', autocomplete: 'off' });
    const input = el('input', { id: 'document-file', type: 'file', name: 'file' });
    const zone = el('div', { class: 'drop-zone', tabindex: 0, 'data-writes': true }, t('access.documents.drop'));
    const send = async (file) => {
      if (!file) return;
      message(status, t('access.documents.uploading', { name: file.name }));
      try {
        await upload(base, file, kind.value, note.value.trim());
        message(status, t('access.documents.uploaded', { name: file.name }));
        note.value = '';
        input.value = '';
        load();
      } catch (err) {
        message(status, err.message, true);
      }
    };
    zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => { e.preventDefault(); zone.classList.remove('over'); send(e.dataTransfer.files[0]); });
    zone.addEventListener('click', () => input.click());
    zone.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); } });
    input.addEventListener('change', () => send(input.files[0]));
    children.push(el('form', { class: 'form grid upload-form', 'data-writes': true, novalidate: true },
      el('div', { class: 'field' }, el('label', { for: 'document-kind' }, t('access.documents.kind')), kind),
      el('div', { class: 'field' }, el('label', { for: 'document-note' }, t('access.documents.note')), note),
      el('div', { class: 'field field-wide' }, el('label', { for: 'document-file' }, t('access.documents.file')), input),
      el('div', { class: 'field-wide' }, zone)));
  }
  const close = el('button', { type: 'button' }, t('access.close'));
  close.addEventListener('click', () => dialog.close());
  children.push(el('div', { class: 'actions' }, close));
  dialog.append(...children);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  await load();
}

// Each pledge and contribution row gets a Documents button (the rows carry their id; the
// fund comes from the API, so that the button knows whether this user may upload).
const recordFunds = new Map();
async function fundOf(recordType, id) {
  const key = `${recordType}-${id}`;
  if (!recordFunds.has(key)) recordFunds.set(key, api(`/${recordType}s/${encodeURIComponent(id)}`));
  return recordFunds.get(key);
}

function decorateRows(recordType) {
  const root = $(`[data-list="${recordType}s"]`);
  if (!root) return;
  for (const tr of $$('tbody tr[data-id]', root)) {
    if (tr.dataset.documents) continue;
    tr.dataset.documents = 'yes';
    const b = el('button', { type: 'button', class: 'small documents-button' }, t('access.documents.button'));
    b.addEventListener('click', async () => {
      const r = await fundOf(recordType, tr.dataset.id);
      const label = `${r.donor_name ?? ''} · ${r.amount} ${r.currency}`;
      openDocuments(recordType, { id: tr.dataset.id, fundId: r.fund_id, label });
    });
    // Beside the row's own actions (not among them: staff.js and its tests address those).
    const actions = $('.row-actions', tr);
    const holder = el('div', { class: 'row-documents' }, b);
    if (actions) actions.after(holder);
    else tr.append(el('td', {}, holder));
  }
}

// ---- start -------------------------------------------------------------------------------

async function start() {
  try {
    me = await api('/auth/me');
  } catch {
    return; // signed out: staff.js shows the login form
  }
  document.body.dataset.role = me.role;
  const bar = $('#console .console-bar');
  if (readOnly()) {
    document.body.dataset.readonly = 'true';
    bar?.append(el('p', { id: 'access-note', class: 'note' }, t('access.read_only')));
  } else if (me.role === 'fund_manager') {
    funds = await fetchAll('/funds');
    const names = funds.filter((f) => canWriteFund(f.id)).map((f) => fundLabel(f)).join(', ');
    bar?.append(el('p', { id: 'access-note', class: 'note' }, t('access.fund_manager', { funds: names })));
  }
  strip();
  limitFundSelects();
  decorateRows('pledge');
  decorateRows('contribution');
  new MutationObserver(() => {
    strip();
    limitFundSelects();
    decorateRows('pledge');
    decorateRows('contribution');
  }).observe($('#console'), { childList: true, subtree: true });
}

// The console appears once signed in: start then (and at once when already signed in).
const consoleEl = $('#console');
if (consoleEl) {
  let started = false;
  let signedOut = false;
  const go = () => {
    if (started && consoleEl.hidden) signedOut = true;
    if (!consoleEl.hidden) {
      // Another user signed in on this page after a sign-out: the console was shaped for the
      // previous user's role (forms removed), so it is built afresh.
      if (signedOut) location.reload();
      else if (!started) {
        started = true;
        start();
      }
    }
  };
  new MutationObserver(go).observe(consoleEl, { attributes: true, attributeFilter: ['hidden'] });
  go();
}
