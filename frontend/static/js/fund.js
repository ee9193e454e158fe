// The fund dashboard: headline figures, progress bar, cumulative timeline, top donors and
// the sortable donor table (which is also the charts' text alternative).
import { t, tEnum, locale, isRTL, lang } from './i18n.js';
import { money, percent, count, date, month, country, compareDecimal, chartNumber } from './format.js';
import { api, itemsOf, fundPath } from './api.js';
import { el, $, $$, setStatus } from './dom.js';
import { progressBar } from './progress.js';
import { loadChart, isolate, targetInReach, fillSnippets, labelCells } from './public.js';

const code = decodeURIComponent(location.pathname.split('/')[2] || '');
const TOP_DONORS = 10;

function showFigures(p) {
  const figures = {
    target: money(p.target),
    paid: money(p.paid),
    pledged: money(p.pledged),
    outstanding: money(p.outstanding_pledges),
    'percent-paid': percent(p.percent_paid),
    'donor-count': count(p.donor_count),
  };
  for (const [id, text] of Object.entries(figures)) $(`#fig-${id}`).textContent = text;
  const first = p.first_contribution;
  $('#fig-first').textContent = first?.donor
    ? t('fund.first_contributor_value', { donor: first.donor, date: date(first.received_on) })
    : t('fund.none_yet');
  $('#progress').replaceChildren(progressBar(p));
  $('#as-of').textContent = p.as_of ? t('fund.as_of', { date: date(p.as_of) }) : '';
}

// Colours come from the stylesheet, so the page has a single palette.
function palette() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return { paid: v('--paid'), pledged: v('--pledged'), target: v('--target'), text: v('--text'), grid: v('--border') };
}

function chartDefaults(Chart, colors) {
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = colors.text;
  Chart.defaults.borderColor = colors.grid;
  Chart.defaults.locale = locale;
  if (matchMedia('(prefers-reduced-motion: reduce)').matches) Chart.defaults.animation = false;
}

const compactAxis = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });

// The options both charts share: right-to-left legend and tooltips in Arabic, and the value
// axis labelled in compact US dollars (an approximate drawing scale, not an amount).
function baseOptions(valueAxis) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'index', intersect: false },
    plugins: {
      legend: { rtl: isRTL, textDirection: isRTL ? 'rtl' : 'ltr' },
      tooltip: { rtl: isRTL, textDirection: isRTL ? 'rtl' : 'ltr' },
    },
    scales: {
      [valueAxis]: {
        beginAtZero: true,
        ticks: { callback: (v) => `${compactAxis.format(v)}` },
        title: { display: true, text: t('fund.axis_usd') },
      },
    },
  };
}

// exactLabel is a tooltip label showing the API's exact amount, not the drawn Number.
const exactLabel = (strings) => (ctx) => `${ctx.dataset.label}: ${money(strings[ctx.datasetIndex][ctx.dataIndex])}`;

function timelineChart(Chart, items, target, colors) {
  const series = [
    items.map((i) => i.cumulative_paid),
    items.map((i) => i.cumulative_pledged),
    items.map(() => target),
  ];
  const options = baseOptions('y');
  options.plugins.tooltip.callbacks = { label: exactLabel(series) };
  // Issue 15: month labels stay horizontal (skipped, not rotated, on a phone).
  options.scales.x = { reverse: isRTL, ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 12 } };
  options.scales.y.position = isRTL ? 'right' : 'left';
  return new Chart($('#timeline-chart'), {
    type: 'line',
    data: {
      labels: items.map((i) => month(i.period)),
      datasets: [
        { label: t('fund.cumulative_paid'), data: series[0].map(chartNumber), borderColor: colors.paid, backgroundColor: colors.paid, tension: 0.2 },
        { label: t('fund.cumulative_pledged'), data: series[1].map(chartNumber), borderColor: colors.pledged, backgroundColor: colors.pledged, tension: 0.2 },
        { label: t('fund.target'), data: series[2].map(chartNumber), borderColor: colors.target, backgroundColor: colors.target, borderDash: [6, 4], pointRadius: 0,
          hidden: !targetInReach(items, target) },
      ],
    },
    options,
  });
}

// wrapLabel splits a long donor name into lines of about width characters, so that the
// chart's axis shows it whole on a phone.
function wrapLabel(name, width) {
  const lines = [];
  for (const word of name.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && (lines[last] + ' ' + word).length <= width) lines[last] += ' ' + word;
    else lines.push(word);
  }
  return lines;
}

function donorsChart(Chart, donors, colors) {
  const top = [...donors].sort((a, b) => compareDecimal(b.pledged, a.pledged)).slice(0, TOP_DONORS);
  const series = [top.map((d) => d.paid), top.map((d) => d.outstanding)];
  // Room for each bar: a drawing size, set through the CSSOM (allowed by the CSP).
  $('#donors-chart-box').style.height = `${Math.max(160, 56 * top.length + 80)}px`;
  const options = baseOptions('x');
  options.indexAxis = 'y';
  options.plugins.tooltip.callbacks = { label: exactLabel(series) };
  options.scales.x.stacked = true;
  options.scales.x.reverse = isRTL;
  Object.assign(options.scales.x.ticks, { maxRotation: 0, autoSkip: true, autoSkipPadding: 8 });
  options.scales.y = { stacked: true, position: isRTL ? 'right' : 'left', ticks: { autoSkip: false } };
  return new Chart($('#donors-chart'), {
    type: 'bar',
    data: {
      labels: top.map((d) => wrapLabel(d.name, $('#donors-chart-box').clientWidth < 600 ? 16 : 30).map(isolate)),
      datasets: [
        { label: t('fund.paid'), data: series[0].map(chartNumber), backgroundColor: colors.paid },
        { label: t('fund.outstanding'), data: series[1].map(chartNumber), backgroundColor: colors.pledged },
      ],
    },
    options,
  });
}

// fillMonths gives every month from the first period to the last, so that the time axis
// is even: the API lists only the months with activity; a quiet month adds nothing and
// keeps the cumulative figures of the month before it.
function fillMonths(items) {
  if (!items.length) return items;
  const byPeriod = new Map(items.map((i) => [i.period, i]));
  const [y0, m0] = items[0].period.split('-').map(Number);
  const last = items[items.length - 1].period;
  const out = [];
  for (let y = y0, m = m0; ; m === 12 ? (y += 1, m = 1) : (m += 1)) {
    const period = `${y}-${String(m).padStart(2, '0')}`;
    const prev = out[out.length - 1];
    out.push(byPeriod.get(period) ?? { period, paid: '0.00', pledged: '0.00',
      cumulative_paid: prev.cumulative_paid, cumulative_pledged: prev.cumulative_pledged });
    if (period >= last) return out;
  }
}

function timelineTable(items) {
  $('#timeline-table tbody').replaceChildren(...items.map((i) => el('tr', {},
    el('th', { scope: 'row' }, month(i.period)),
    el('td', { class: 'num' }, money(i.paid)),
    el('td', { class: 'num' }, money(i.cumulative_paid)),
    el('td', { class: 'num' }, money(i.pledged)),
    el('td', { class: 'num' }, money(i.cumulative_pledged)))));
}

// The donor table, sortable by each column (headers are buttons; aria-sort tells the order).
const collator = new Intl.Collator(locale);
const SORT_KEYS = {
  name: (a, b) => collator.compare(a.name, b.name),
  kind: (a, b) => collator.compare(tEnum('kind', a.kind), tEnum('kind', b.kind)),
  country: (a, b) => collator.compare(country(a.country_code), country(b.country_code)),
  paid: (a, b) => compareDecimal(a.paid, b.paid),
  outstanding: (a, b) => compareDecimal(a.outstanding, b.outstanding),
  pledged: (a, b) => compareDecimal(a.pledged, b.pledged),
  share: (a, b) => compareDecimal(a.share_of_paid_percent, b.share_of_paid_percent),
};

function donorTable(donors) {
  const table = $('#donor-table');
  let sortKey = 'paid';
  let descending = true;
  const render = () => {
    const rows = [...donors].sort(SORT_KEYS[sortKey]);
    if (descending) rows.reverse();
    table.tBodies[0].replaceChildren(...rows.map((d) => labelCells(table, el('tr', {},
      el('th', { scope: 'row', dir: 'auto' }, d.name),
      el('td', {}, tEnum('kind', d.kind)),
      el('td', {}, country(d.country_code)),
      el('td', { class: 'num' }, money(d.paid)),
      el('td', { class: 'num' }, money(d.outstanding)),
      el('td', { class: 'num' }, money(d.pledged)),
      el('td', { class: 'num' }, percent(d.share_of_paid_percent))))));
    for (const button of $$('button[data-sort]', table)) {
      const active = button.dataset.sort === sortKey;
      button.closest('th').setAttribute('aria-sort', active ? (descending ? 'descending' : 'ascending') : 'none');
    }
  };
  table.tHead.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-sort]');
    if (!button) return;
    const key = button.dataset.sort;
    descending = key === sortKey ? !descending : ['paid', 'outstanding', 'pledged', 'share'].includes(key);
    sortKey = key;
    render();
  });
  render();
  if (!donors.length) table.tBodies[0].append(el('tr', {}, el('td', { colspan: 7 }, t('fund.no_donors'))));
}

async function main() {
  if (!code) return;
  const base = fundPath(code);
  // Issue 15: public answers in the page's language; figures rendered on the server stay.
  const ssr = document.body.dataset.ssr === '1';
  $('#csv-link').href = `/api/v1${base}/donors.csv?lang=${lang}`;
  fillSnippets();
  try {
    const [fund, progress, timeline, donors] = await Promise.all([
      api(`${base}?lang=${lang}`), api(`${base}/progress?lang=${lang}`), api(`${base}/timeline?interval=month`),
      api(`${base}/donors?lang=${lang}`),
    ]);
    if (!ssr) {
      document.title = t('fund.page_title', { name: fund.name });
      $('#fund-name').textContent = fund.name;
      $('#fund-org').textContent = [fund.organization, fund.description].filter(Boolean).join(' · ');
      showFigures(progress);
    }
    const donorItems = itemsOf(donors);
    donorTable(donorItems);
    const timelineItems = fillMonths(itemsOf(timeline));
    timelineTable(timelineItems);
    setStatus('');
    // The donor chart's room is set before anything draws, so that nothing below it moves later.
    $('#donors-chart-box').style.height = `${Math.max(160, 56 * Math.min(TOP_DONORS, donorItems.length) + 80)}px`;
    document.body.dataset.state = 'ready';
    // Chart.js loads only when there is something to chart, as the charts come near the screen.
    if (timelineItems.length || donorItems.length) {
      const Chart = await loadChart();
      const colors = palette();
      chartDefaults(Chart, colors);
      if (timelineItems.length) timelineChart(Chart, timelineItems, progress.target, colors);
      if (donorItems.length) donorsChart(Chart, donorItems, colors);
    }
    document.body.dataset.charts = 'ready';
  } catch (err) {
    setStatus(err.status === 404 ? t('fund.not_found') : t('common.load_failed', { message: err.message }), true);
    document.body.dataset.state = 'error';
  }
}

main();
