package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// row is one line of the printed table.
type row struct {
	Figure   string  `json:"figure"`
	Value    string  `json:"value"`
	Baseline string  `json:"baseline"`
	Ratio    float64 `json:"ratio"`
	Goal     string  `json:"goal"`
	Met      *bool   `json:"met,omitempty"`
}

func (r row) status() string {
	switch {
	case r.Met == nil:
		return ""
	case *r.Met:
		return "met"
	}
	return "MISSED"
}

func goal(met bool) *bool { return &met }

func table(r results) []row {
	b := r.Baselines
	scale := fmt.Sprintf("%dk", r.Ledger.Contributions/1000)
	var rows []row
	readBase := map[string]string{"progress": "sum", "donors": "sum", "timeline": "group"}
	for _, rd := range reads {
		l, t := r.Reads[rd.name], r.TinyReads[rd.name]
		base, baseMs := fmt.Sprintf("raw SUM of %dk rows %.2f ms", b.SumRows/1000, b.SumMillis), b.SumMillis
		if readBase[rd.name] == "group" {
			base, baseMs = fmt.Sprintf("raw monthly GROUP BY %dk rows %.1f ms", b.GroupByRows/1000, b.GroupByMillis), b.GroupByMillis
		}
		rows = append(rows,
			row{Figure: rd.name + " p50 (p99) at " + scale, Value: fmt.Sprintf("%.2f ms (%.2f)", l.P50, l.P99), Baseline: base,
				Ratio: l.P50 / baseMs, Goal: "p50 < 5 ms", Met: goal(l.P50 < 5)},
			row{Figure: rd.name + " cost at " + scale + " / at 1k", Value: fmt.Sprintf("%.2f ms / %.2f ms", l.P50, t.P50),
				Baseline: "", Ratio: l.P50 / t.P50, Goal: "< 3", Met: goal(l.P50/t.P50 < 3)})
	}
	rl := r.ReadLoad
	rows = append(rows, row{Figure: "read load (progress+timeline, 32 conns)", Value: fmt.Sprintf("%.0f req/s, p99 %.1f ms", rl.PerSecond, rl.P99),
		Baseline: fmt.Sprintf("raw SUM+GROUP BY per pair %.1f req/s", b.NaiveReadsPerSec), Ratio: rl.PerSecond / b.NaiveReadsPerSec, Goal: "printed"})
	for _, w := range []struct {
		clients string
		goal    float64
	}{{"1", 0.6}, {"8", 2}} {
		res, raw, kb := r.Writes[w.clients], r.RawWrites[w.clients], r.WriteKB[w.clients]
		rows = append(rows, row{Figure: "POST /contributions, " + w.clients + " client(s)",
			Value:    fmt.Sprintf("%.0f/s (p99 %.1f ms, %.0f kB written/row)", res.PerSecond, res.P99, kb[0]),
			Baseline: fmt.Sprintf("raw 1-row durable tx %.0f rows/s (%.1f kB/row)", raw, kb[1]),
			Ratio:    res.PerSecond / raw, Goal: fmt.Sprintf(">= %gx raw", w.goal), Met: goal(res.PerSecond/raw >= w.goal)})
	}
	e := r.Export
	rows = append(rows,
		row{Figure: fmt.Sprintf("CSV export over HTTP (%dk rows)", e.Rows/1000), Value: fmt.Sprintf("%.0f rows/s (%.1f s, %.0f MB)", e.RowsPerSec, e.Seconds, float64(e.Bytes)/1e6),
			Baseline: fmt.Sprintf("raw encoding/csv %.0f rows/s", r.RawCSV), Ratio: e.RowsPerSec / r.RawCSV,
			Goal: ">= 0.5x raw", Met: goal(e.RowsPerSec/r.RawCSV >= 0.5)},
		row{Figure: "server peak RSS during the export", Value: fmt.Sprintf("%.1f MB", e.PeakRSSMB), Ratio: e.PeakRSSMB / 64,
			Goal: "< 64 MB", Met: goal(e.PeakRSSMB < 64)},
		row{Figure: fmt.Sprintf("XLSX export over HTTP (%dk rows)", r.XLSXExport.Rows/1000),
			Value:    fmt.Sprintf("%.0f rows/s (%.1f s, %.0f MB)", r.XLSXExport.RowsPerSec, r.XLSXExport.Seconds, float64(r.XLSXExport.Bytes)/1e6),
			Baseline: fmt.Sprintf("raw encoding/csv %.0f rows/s", r.RawCSV), Ratio: r.XLSXExport.RowsPerSec / r.RawCSV, Goal: "printed"},
		row{Figure: "server peak RSS during the XLSX export", Value: fmt.Sprintf("%.1f MB", r.XLSXExport.PeakRSSMB),
			Ratio: r.XLSXExport.PeakRSSMB / 150, Goal: "< 150 MB", Met: goal(r.XLSXExport.PeakRSSMB < 150)},
		row{Figure: "server RSS, " + scale + " ledger, under read load", Value: fmt.Sprintf("%.1f MB (idle %.1f MB)", r.LoadRSSMB, r.IdleRSSMB),
			Ratio: r.LoadRSSMB / 150, Goal: "< 150 MB", Met: goal(r.LoadRSSMB < 150)})
	rows = append(rows, wrkRows(r.Wrk)...)
	rows = append(rows, importTableRows(r.Import)...)
	return append(rows, row{Figure: "aggregates after the writes and the import", Value: r.ImportRebuild, Baseline: "a full rebuild",
		Goal: "equal", Met: goal(r.ImportRebuild == "equal")})
}

func printTable(out io.Writer, r results) {
	gen := fmt.Sprintf("generated in %.0f s", r.GenerateSec)
	if r.Reused {
		gen = "reused from an earlier run"
	}
	fmt.Fprintf(out, "\nfundtracker bench, %s ledger: %d contributions, %d pledges, %d funds, %d donors, %d currencies (%s)\n",
		r.Size, r.Ledger.Contributions, r.Ledger.Pledges, r.Ledger.Funds, r.Ledger.Donors, len(currencies), gen)
	fmt.Fprintf(out, "machine load average at start %s, at end %s (2 cores)\n\n", r.LoadAvg[0], r.LoadAvg[1])
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "figure\tfundtracker\traw SQLite baseline\tratio\tgoal\t")
	for _, x := range r.Table {
		fmt.Fprintf(w, "%s\t%s\t%s\t%.2f\t%s\t%s\n", x.Figure, x.Value, x.Baseline, x.Ratio, x.Goal, x.status())
	}
	w.Flush()
	fmt.Fprintln(out)
}
