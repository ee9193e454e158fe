// Translations: the server renders the page in its language (lang/dir on <html>) and names
// the fingerprinted translation file in <meta name="ft-i18n">; strings built here come from it.

export const lang = document.documentElement.lang || 'en';
export const isRTL = document.documentElement.dir === 'rtl';

// The Intl locale used to format numbers and dates in each page language.
// Arabic uses 'ar-MA': the fund's region is Morocco, whose Arabic press (and the fund's own
// announcements) write Western digits (0-9) with Moroccan month names ("يوليوز", "دجنبر");
// 'ar-MA' gives exactly that, where plain 'ar' would switch to Arabic-Indic digits.
const LOCALES = { en: 'en', fr: 'fr', ar: 'ar-MA' };
export const locale = LOCALES[lang] || 'en';

const meta = document.querySelector('meta[name="ft-i18n"]');
const dict = meta ? await fetch(meta.content).then((r) => r.json()) : {};

// t returns the text of key, with {name} placeholders filled from vars. Each value is
// wrapped in Unicode directional isolates (FSI ... PDI), so that a Latin donor name or an
// amount inside an Arabic sentence (or the reverse) keeps its own direction.
export function t(key, vars = {}) {
  const text = dict[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? `\u2068${vars[name]}\u2069` : m));
}

// tEnum translates a value of one of the API's enumerations (kind, stage, status,
// earmarking), falling back to the raw value for one the interface does not know yet.
export function tEnum(group, value) {
  const key = `${group}.${value}`;
  return key in dict ? dict[key] : String(value ?? '');
}

// tn is t for a text that counts something: the form of key for the count n, chosen by the
// language's plural rules (Intl.PluralRules: English and French one/other, Arabic
// zero/one/two/few/many/other), stored as "key.one", "key.other"...; a form a language does
// not give falls back to "key.other", then to "key". The formatted count goes in vars.
const pluralRules = new Intl.PluralRules(locale);
export function tn(key, n, vars = {}) {
  const form = `${key}.${pluralRules.select(Number(n))}`;
  return t(form in dict ? form : `${key}.other` in dict ? `${key}.other` : key, vars);
}

// fundLabel is a fund's name in the page's language: its translation when it has one
// (the fund's translations, as the public pages show it), else its name.
export const fundLabel = (f) => f?.translations?.[lang]?.name || f?.name;
