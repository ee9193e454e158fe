// Issue 15: acknowledgements in the staff console - a column with each contribution's state,
// a button to mark it acknowledged (today), and its printable receipt in the page's language.
import { t, tEnum, lang } from './i18n.js';
import { date } from './format.js';
import { api } from './api.js';
import { el } from './dom.js';

export const ackColumn = ['ack.filter', (r) => {
  const state = r.acknowledgement ?? 'to_be_acknowledged';
  const label = el('span', { class: `badge ack-${state}` }, tEnum('acknowledgement', state));
  return r.acknowledged_on ? [label, el('br'), el('small', { class: 'secondary' }, t('ack.on', { date: date(r.acknowledged_on) }))] : label;
}];

export function ackActions(r, done) {
  const receipt = el('a', { class: 'button small', href: `/contributions/${encodeURIComponent(r.id)}/receipt?lang=${lang}`, target: '_blank', rel: 'noopener' }, t('ack.receipt'));
  if (r.acknowledgement === 'acknowledged' || r.acknowledgement === 'do_not_acknowledge') return [receipt];
  const mark = el('button', { type: 'button', class: 'small' }, t('ack.mark'));
  mark.addEventListener('click', async () => {
    mark.disabled = true;
    try {
      await api(`/contributions/${encodeURIComponent(r.id)}/acknowledge`, { method: 'POST', body: { acknowledgement: 'acknowledged' } });
      done();
    } catch (err) {
      mark.disabled = false;
      mark.title = err.message;
    }
  });
  return [mark, receipt];
}
