// Issue 15: what the fund page needs for phones, Arabic and embedding. Chart.js is loaded only
// where a chart is shown, once its section comes near the screen; the timeline's target line
// is drawn only when the figures are within reach of it (or when asked for); Latin names keep
// their direction in Arabic charts; the donor table's cells carry their column's name for the
// stacked layout of narrow screens; the embed snippets get this server's address.
import { t, isRTL } from './i18n.js';
import { money } from './format.js';
import { $ } from './dom.js';

let chartPromise;

// loadChart resolves to Chart.js, adding its script when a chart section (target) nears the
// viewport; with target null, at once (the staff console's charts, drawn when asked for).
export function loadChart(target = document.querySelector('.chart-box')) {
  if (window.Chart) return Promise.resolve(window.Chart);
  chartPromise ??= new Promise((resolve, reject) => {
    const add = () => {
      const script = document.createElement('script');
      script.src = document.querySelector('meta[name="ft-chartjs"]').content;
      script.onload = () => resolve(window.Chart);
      script.onerror = () => reject(new Error('Chart.js did not load'));
      document.head.append(script);
    };
    if (!target || !('IntersectionObserver' in window)) return add();
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        io.disconnect();
        add();
      }
    }, { rootMargin: '0px' });
    io.observe(target);
  });
  return chartPromise;
}

// isolate wraps text with Latin letters in first-strong isolates (U+2068 … U+2069) in Arabic,
// so that "Fondation Léman (illustrative)" keeps its parenthesis at its own end.
export const isolate = (s) => (isRTL && /[A-Za-z\u00C0-\u024F]/.test(s) ? `\u2068${s}\u2069` : s);

// targetInReach: the target is drawn when the pledged total is at least a fifth of it;
// otherwise the chart is scaled to the figures and a toggle offers the target line.
export function targetInReach(items, target) {
  const last = items[items.length - 1];
  const reach = Number(last?.cumulative_pledged ?? 0) >= Number(target) / 5;
  const toggle = $('#target-toggle');
  if (toggle && !reach) {
    toggle.hidden = false;
    $('#target-note').textContent = t('fund.target_off_scale', { target: money(target) });
    $('#show-target').addEventListener('change', (event) => {
      const chart = window.Chart?.getChart($('#timeline-chart'));
      if (!chart) return;
      chart.setDatasetVisibility(2, event.target.checked);
      chart.update();
    });
  }
  return reach;
}

// labelCells gives each cell of a row its column's heading, for the stacked narrow layout.
export function labelCells(table, row) {
  const heads = [...table.tHead.rows[0].cells].map((th) => th.textContent.trim());
  [...row.cells].forEach((cell, i) => cell.setAttribute('data-label', heads[i] ?? ''));
  return row;
}

// fillSnippets writes the embed and badge snippets with this server's address.
export function fillSnippets() {
  const origin = location.origin;
  const embed = $('#snippet-embed');
  if (embed) {
    const src = origin + embed.dataset.path;
    const title = document.querySelector('#fund-name').textContent.replace(/"/g, '&quot;');
    embed.value = `<iframe src="${src}" title="${title}" width="100%" height="190" loading="lazy" style="border:0"></iframe>`;
  }
  const badge = $('#snippet-badge');
  if (badge) {
    badge.value = `<a href="${origin}${badge.dataset.link}"><img src="${origin}${badge.dataset.path}" alt="${badge.value.match(/alt="([^"]*)"/)?.[1] ?? ''}"></a>`;
  }
  for (const area of [embed, badge]) area?.addEventListener('focus', () => area.select());
}
