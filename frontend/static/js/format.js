// Locale formatting of the API's values. Money arrives as decimal strings ("250000.50") and
// is never turned into a floating-point Number for display: the digits are kept as text and
// only laid out with the locale's symbols, taken from Intl.NumberFormat#formatToParts.
import { locale } from './i18n.js';

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
const plain = new Intl.NumberFormat(locale);
const decimalSymbol = plain.formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
// The locale's ten digits (Western or Arabic-Indic), to write fraction digits one by one.
const digits = Array.from({ length: 10 }, (_, d) => plain.format(d));
const NUMERIC_PARTS = new Set(['integer', 'group', 'decimal', 'fraction']);

// formatDecimal lays out a decimal string with Intl options (currency, percent...), keeping
// every digit it has; the fraction is padded to the style's minimum (2 for USD cents).
export function formatDecimal(value, options = {}) {
  const m = DECIMAL.exec(String(value ?? '').trim());
  if (!m) return String(value ?? '');
  const [, sign, intPart, fracPart = ''] = m;
  const nf = new Intl.NumberFormat(locale, options);
  const frac = fracPart.padEnd(nf.resolvedOptions().minimumFractionDigits, '0');
  const number = plain.format(BigInt(intPart)) +
    (frac ? decimalSymbol + [...frac].map((d) => digits[d]).join('') : '');
  // A sample only to learn where the locale puts the sign, currency and percent sign.
  const sample = nf.formatToParts(sign ? -1 : 1);
  let out = '';
  let placed = false;
  for (const part of sample) {
    if (!NUMERIC_PARTS.has(part.type)) out += part.value;
    else if (!placed) { out += number; placed = true; }
  }
  return out;
}

export const money = (amount, currency = 'USD') =>
  formatDecimal(amount, { style: 'currency', currency, currencyDisplay: 'symbol' });

export const percent = (value) =>
  formatDecimal(value, { style: 'percent', minimumFractionDigits: 0 });

export const count = (n) => plain.format(n);

// minorUnits is how many decimals a currency's amounts may have (EUR 2, JPY 0, KWD 3).
export function minorUnits(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return null;
  }
}

// compareDecimal orders two decimal strings exactly (BigInt on a common scale).
export function compareDecimal(a, b) {
  const scaled = (v, scale) => {
    const m = DECIMAL.exec(String(v ?? '0').trim()) || ['', '', '0', ''];
    const n = BigInt(m[2] + (m[3] || '').padEnd(scale, '0'));
    return m[1] ? -n : n;
  };
  const scale = Math.max(...[a, b].map((v) => (String(v ?? '').split('.')[1] || '').length));
  const x = scaled(a, scale);
  const y = scaled(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

// chartNumber turns a decimal string into a Number for a chart's drawing coordinates only:
// charts are drawings, and their tooltips show the exact string through money().
export const chartNumber = (value) => Number(value ?? 0);

// Dates: the API's YYYY-MM-DD (and YYYY-MM periods) are calendar dates, shown in UTC so
// that no time zone moves them by a day.
const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
const monthFormat = new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });

function calendarDate(text) {
  const [y, m = 1, d = 1] = String(text).split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

export const date = (text) => (text ? dateFormat.format(calendarDate(text)) : '');
export const month = (text) => (text ? monthFormat.format(calendarDate(text)) : '');
export const dateTime = (text) => (text ? dateTimeFormat.format(new Date(text)) : '');

const regions = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' });
export function country(code) {
  try {
    return code ? regions.of(code) : '';
  } catch {
    return code;
  }
}

// today is the local calendar date as YYYY-MM-DD.
export function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
