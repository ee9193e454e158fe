package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// latency is a distribution of request durations.
type latency struct {
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
	N   int     `json:"requests"`
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*p/100)]
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func distribution(ds []time.Duration) latency {
	return latency{P50: millis(percentile(ds, 50)), P99: millis(percentile(ds, 99)), N: len(ds)}
}

// get fetches url and reads the whole body, failing on any status but 200.
func get(c *http.Client, url, token string) error {
	return call(c, "GET", url, token, nil, 200, nil)
}

// sequential times n GETs of url from one keep-alive connection, after a warm-up.
func sequential(c *http.Client, url string, n int) (latency, error) {
	for range 50 {
		if err := get(c, url, ""); err != nil {
			return latency{}, err
		}
	}
	ds := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if err := get(c, url, ""); err != nil {
			return latency{}, err
		}
		ds = append(ds, time.Since(start))
	}
	return distribution(ds), nil
}

// loadResult is what a concurrent run achieved.
type loadResult struct {
	Clients   int     `json:"clients"`
	Seconds   float64 `json:"seconds"`
	Requests  int     `json:"requests"`
	PerSecond float64 `json:"per_second"`
	P50       float64 `json:"p50_ms"`
	P99       float64 `json:"p99_ms"`
	durations []time.Duration
}

// add merges two runs with the same number of clients.
func (a loadResult) add(b loadResult) loadResult {
	ds := append(append([]time.Duration(nil), a.durations...), b.durations...)
	dist := distribution(ds)
	secs := a.Seconds + b.Seconds
	return loadResult{Clients: b.Clients, Seconds: secs, Requests: a.Requests + b.Requests,
		PerSecond: float64(a.Requests+b.Requests) / secs, P50: dist.P50, P99: dist.P99, durations: ds}
}

// concurrently runs `clients` loops of do(client, worker, i) for d, each
// on its own keep-alive connection, and times every call.
func concurrently(clients int, d time.Duration, do func(c *http.Client, worker, i int) error) (loadResult, error) {
	var (
		mu       sync.Mutex
		all      []time.Duration
		firstErr error
		wg       sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := client(1)
			var ds []time.Duration
			var err error
			for i := 0; time.Now().Before(deadline); i++ {
				t := time.Now()
				if err = do(c, w, i); err != nil {
					break
				}
				ds = append(ds, time.Since(t))
			}
			mu.Lock()
			all = append(all, ds...)
			if firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	dist := distribution(all)
	return loadResult{Clients: clients, Seconds: elapsed, Requests: len(all), PerSecond: float64(len(all)) / elapsed,
		P50: dist.P50, P99: dist.P99, durations: all}, firstErr
}

// writer posts contributions, each with its own Idempotency-Key.
type contributionPoster struct {
	base, token string
	funds       int
	donors      int
	seq         atomic.Int64
	run         string
}

func (p *contributionPoster) post(c *http.Client, worker, i int) error {
	n := p.seq.Add(1)
	body := map[string]any{"fund_id": n%int64(p.funds) + 1, "donor_id": n%int64(p.donors) + 1,
		"amount": strconv.FormatInt(1000+n%9000, 10) + "." + fmt.Sprintf("%02d", n%100), "currency": []string{"USD", "EUR", "JPY"}[n%3],
		"received_on": "2025-12-15", "reference": "BENCH-" + strconv.FormatInt(n, 10)}
	if body["currency"] == "JPY" {
		body["amount"] = strconv.FormatInt(150000+n%90000, 10)
	}
	return call(c, "POST", p.base+"/api/v1/contributions", p.token, body, 201, nil,
		"Idempotency-Key", fmt.Sprintf("bench-%s-%d-%d-%d", p.run, worker, i, n))
}

// exportResult is the CSV export of the whole ledger over HTTP.
type exportResult struct {
	Rows       int     `json:"rows"`
	Bytes      int64   `json:"bytes"`
	Seconds    float64 `json:"seconds"`
	RowsPerSec float64 `json:"rows_per_s"`
	PeakRSSMB  float64 `json:"peak_rss_mb"`
}

// exportCSV downloads the contributions export and counts its data rows.
func exportCSV(c *http.Client, base, token string) (exportResult, error) {
	req, _ := http.NewRequest("GET", base+"/api/v1/exports/contributions.csv", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return exportResult{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return exportResult{}, fmt.Errorf("export: status %d", resp.StatusCode)
	}
	var lines int
	var size int64
	r := bufio.NewReaderSize(resp.Body, 1<<16)
	buf := make([]byte, 1<<16)
	for {
		k, err := r.Read(buf)
		lines += bytes.Count(buf[:k], []byte("\n"))
		size += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			return exportResult{}, err
		}
	}
	secs := time.Since(start).Seconds()
	rows := lines - 1 // the header
	return exportResult{Rows: rows, Bytes: size, Seconds: secs, RowsPerSec: float64(rows) / secs}, nil
}

// exportXLSX downloads the contributions workbook (every contribution, rows
// of them) and checks that it is a zip (an Office Open XML package).
func exportXLSX(c *http.Client, base, token string, rows int) (exportResult, error) {
	req, _ := http.NewRequest("GET", base+"/api/v1/exports/contributions.xlsx", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return exportResult{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return exportResult{}, fmt.Errorf("xlsx export: status %d", resp.StatusCode)
	}
	head := make([]byte, 2)
	if _, err := io.ReadFull(resp.Body, head); err != nil || string(head) != "PK" {
		return exportResult{}, fmt.Errorf("xlsx export: not a zip (%q, %v)", head, err)
	}
	size, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return exportResult{}, err
	}
	secs := time.Since(start).Seconds()
	return exportResult{Rows: rows, Bytes: size + 2, Seconds: secs, RowsPerSec: float64(rows) / secs}, nil
}
