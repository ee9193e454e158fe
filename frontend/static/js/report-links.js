// Issue 13: the console's links to the Excel, FTS and printed-report outputs of the fund
// chosen in the filters (every fund when none is chosen; the first fund for the report).
import { query } from './api.js';
import { $ } from './dom.js';

export function updateReportLinks(fund, funds) {
  const lang = document.documentElement.lang || 'en';
  const fundID = fund?.id;
  for (const [id, path] of [['#export-contributions-xlsx', 'exports/contributions.xlsx'], ['#export-pledges-xlsx', 'exports/pledges.xlsx']]) {
    const a = $(id);
    if (a) a.href = `/api/v1/${path}${query({ fund_id: fundID, lang })}`;
  }
  const fts = $('#export-fts');
  if (fts) fts.href = `/api/v1/exports/fts.csv${query({ fund_id: fundID, hxl: '1' })}`;
  const report = $('#fund-report');
  const chosen = fund ?? funds?.[0];
  if (report) {
    report.hidden = !chosen;
    if (chosen) report.href = `/funds/${encodeURIComponent(chosen.code)}/report${query({ lang })}`;
  }
}
