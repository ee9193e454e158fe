// Reading amounts as people type them (issue 14). An amount is read as the page's language
// writes it (en 1,234.56; fr 1 234,56 with any space; ar as the Arabic page shows numbers:
// ar-MA 1.234,56, or Arabic-Indic digits with ٬ and ٫) and as a plain decimal (1234.56).
// When these readings give different numbers, or none, the input is refused beside the
// field: nothing typed is ever silently read as another amount. Hand-written because no
// library parses locale numbers exactly (Intl only formats) and floats must never be used.
import { locale } from './i18n.js';

const parts = new Intl.NumberFormat(locale).formatToParts(1234567.5);
const GROUP = parts.find((p) => p.type === 'group')?.value ?? ',';
const DECIMAL = parts.find((p) => p.type === 'decimal')?.value ?? '.';
const SPACES = /[\s\u00a0\u202f\u2009]/;
const BIDI = /[\u200e\u200f\u061c\u2066-\u2069]/g;

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// read returns the decimal string of text when it is written with group separator g and
// decimal symbol d (groups of three), or null.
function read(text, g, d) {
  const G = g === ' ' ? '[\\s\\u00a0\\u202f\\u2009]' : esc(g);
  const re = new RegExp(`^(\\d{1,3}(?:${G}\\d{3})+|\\d+)(?:${esc(d)}(\\d+))?$`);
  const m = re.exec(text);
  if (!m) return null;
  const int = m[1].replace(/\D/g, '').replace(/^0+(?=\d)/, '');
  return m[2] === undefined ? int : `${int}.${m[2]}`;
}

// parseAmount reads what was typed. It answers {value} (a plain decimal string, as the API
// takes it) or {error, choices} with a translation key and, when ambiguous, the readings.
export function parseAmount(typed, places) {
  let text = String(typed ?? '').replace(BIDI, '').trim();
  if (!text) return { error: 'console.amount.empty' };
  // Arabic-Indic and Eastern Arabic-Indic digits are digits.
  text = text.replace(/[\u0660-\u0669]/g, (c) => String(c.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (c) => String(c.charCodeAt(0) - 0x06f0));
  const readings = new Set();
  const add = (v) => { if (v !== null) readings.add(v); };
  if (/[\u066b\u066c]/.test(text)) {
    add(read(text, '\u066c', '\u066b')); // Arabic thousands and decimal separators: unambiguous
  } else {
    add(read(text, SPACES.test(GROUP) ? ' ' : GROUP, DECIMAL)); // as the page writes numbers
    add(read(text, ' ', DECIMAL)); // groups of digits set apart by spaces, in any language
    add(read(text, '', '.')); // a plain decimal
    // Where the page's decimal symbol is not ".", "1.000" may also be a thousand written
    // the continental way: a second reading, so that the input is refused as ambiguous.
    if (DECIMAL !== '.') add(read(text, '.', '\u0000'));
    if (DECIMAL !== ',' && GROUP !== ',') add(read(text, ',', '\u0000'));
  }
  const values = [...new Set([...readings].map(canonical))];
  if (values.length === 0) return { error: 'console.amount.unreadable' };
  if (values.length > 1) return { error: 'console.amount.ambiguous', choices: values };
  const value = [...readings][0];
  if (!/[1-9]/.test(value)) return { error: 'console.amount.positive' };
  const decimals = (value.split('.')[1] || '').length;
  if (places !== null && places !== undefined && decimals > places) return { error: 'console.amount.too_many_decimals', places };
  return { value };
}

// canonical compares readings by the number they name ("1.50" and "1.5" are one number).
function canonical(v) {
  const [i, f = ''] = v.split('.');
  const frac = f.replace(/0+$/, '');
  return frac ? `${i}.${frac}` : i;
}

export const separators = { group: GROUP, decimal: DECIMAL };
