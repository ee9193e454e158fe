// Issue 15: private statement links in the staff console. A donor's row gets a button that
// opens a dialog: make a link (its url is shown once, then only its hash exists), see the
// donor's links with their status, revoke one.
import { t, tEnum } from './i18n.js';
import { date } from './format.js';
import { api, itemsOf } from './api.js';
import { el, $ } from './dom.js';

const dialog = () => $('#link-dialog');
let donor = null;

function inDays(n) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

async function showLinks() {
  const page = await api(`/donors/${encodeURIComponent(donor.id)}/links`);
  $('#link-list').replaceChildren(...itemsOf(page).map((l) => {
    const li = el('li', {}, t('links.item', { status: tEnum('linkstatus', l.status), date: date(l.expires_on) }));
    if (l.status === 'active') {
      const revoke = el('button', { type: 'button', class: 'small danger' }, t('links.revoke'));
      revoke.addEventListener('click', async () => {
        await api(`/donor-links/${encodeURIComponent(l.id)}`, { method: 'DELETE' }).catch(() => null);
        showLinks();
      });
      li.append(' ', revoke);
    }
    return li;
  }));
}

function setUp() {
  const d = dialog();
  if (!d || d.dataset.ready) return;
  d.dataset.ready = '1';
  $('#link-close').addEventListener('click', () => d.close());
  $('#link-create').addEventListener('click', async () => {
    const error = $('#link-form .form-error');
    error.textContent = '';
    try {
      const body = { expires_on: $('#link-expires').value };
      if ($('#link-lang').value) body.lang = $('#link-lang').value;
      const link = await api(`/donors/${encodeURIComponent(donor.id)}/links`, { method: 'POST', body });
      $('#link-url').value = location.origin + link.url;
      $('#link-made').hidden = false;
      $('#link-url').select();
      showLinks();
    } catch (err) {
      error.textContent = Object.values(err.fields ?? {})[0] ? `${Object.keys(err.fields)[0]}: ${Object.values(err.fields)[0]}` : err.message;
    }
  });
}

export function linkActions(r) {
  const open = el('button', { type: 'button', class: 'small', dataset: { action: 'links' } }, t('links.open'));
  open.addEventListener('click', () => {
    if (!dialog()) return; // read-only roles: staff-access.js removed the dialog (it writes)
    setUp();
    donor = r;
    $('#link-subject').textContent = r.name;
    $('#link-expires').value = inDays(90);
    $('#link-made').hidden = true;
    $('#link-url').value = '';
    $('#link-list').replaceChildren();
    dialog().showModal();
    showLinks().catch(() => null);
  });
  return [open];
}
