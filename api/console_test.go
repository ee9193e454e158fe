package api_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// Issue 14 through the real server: the decimals rule, duplicate donors,
// merges, and the lists' order, filters and totals.

func TestAmountsWrittenWithTooManyDecimalsAreRefused(t *testing.T) {
	f := newFixture(t)
	before := f.counts()
	for _, c := range []struct{ amount, cur string }{
		{"1.000", "EUR"}, {"5.0", "JPY"}, {"250.0000", "KWD"}, {"1000.000", "USD"}, {"0.10", "JPY"},
	} {
		f.pledge(f.swiss, c.amount, c.cur, "2024-08-01").fails(422, "validation_failed", "amount")
		f.pay(f.swiss, nil, c.amount, c.cur, "2024-08-01").fails(422, "validation_failed", "amount")
		f.do("GET", "/api/v1/exchange-rates/quote?currency="+c.cur+"&amount="+c.amount, f.staff, nil).fails(422, "validation_failed", "amount")
	}
	f.unchanged(before, "amounts with too many decimals")
	// As many decimals as the minor unit, zeros included, are fine.
	for _, c := range []struct{ amount, cur, want string }{
		{"1.00", "EUR", "1.00"}, {"5", "JPY", "5"}, {"250.000", "KWD", "250.000"}, {"1.5", "EUR", "1.50"},
	} {
		eq(t, c.amount+" "+c.cur, f.pledge(f.swiss, c.amount, c.cur, "2024-08-01").status(201).str("amount"), c.want)
	}
}

func TestDuplicateDonorsAreRefusedUnlessAllowed(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{"Kingdom of Morocco", "KINGDOM OF MOROCCO", "  Kingdom   of\u00a0Morocco ", "Kingdom of Moróccö", "kingdomofmorocco"} {
		before := f.counts()
		r := f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": name, "kind": "government", "country_code": "ma"}).fails(409, "conflict", "")
		e := r.body["error"].(map[string]any)
		eq(t, name+": existing_id", e["existing_id"], float64(f.morocco))
		f.unchanged(before, "duplicate donor "+name)
	}
	// Another country, or allow_duplicate, records it.
	f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": "Kingdom of Morocco", "kind": "government", "country_code": "FR"}).status(201)
	twin := f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": "kingdom of morocco", "kind": "government", "country_code": "MA",
		"allow_duplicate": true}).status(201).id()
	if twin == f.morocco {
		t.Fatal("allow_duplicate answered the existing donor")
	}
	// allow_duplicate false is the default; PATCH does not take it.
	f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": "Swiss  foundation", "kind": "foundation", "country_code": "CH",
		"allow_duplicate": false}).fails(409, "conflict", "")
	f.do("PATCH", fmt.Sprintf("/api/v1/donors/%d", twin), f.staff, map[string]any{"allow_duplicate": true}).fails(422, "validation_failed", "allow_duplicate")
	// A donor with no country is a duplicate of one with no country only.
	f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": "Gulf Fund", "kind": "multilateral"}).status(201)
	f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": "gulf fund", "kind": "multilateral"}).fails(409, "conflict", "")
	f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": "Gulf Fund", "kind": "multilateral", "country_code": "KW"}).status(201)
}

func TestMergeMovesRecordsAndKeepsTheFiguresExact(t *testing.T) {
	f := newFixture(t)
	twin := f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": "Royaume du Maroc", "kind": "government", "country_code": "MA"}).status(201).id()
	other := f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": "Other", "kind": "ngo"}).status(201).id()
	f.pay(f.morocco, nil, "1000000.00", "USD", "2024-07-29").status(201)
	p := f.pledge(twin, "500000.00", "EUR", "2024-08-01").status(201).id()
	f.pay(twin, p, "200000.00", "EUR", "2024-09-01").status(201)
	voided := f.pay(twin, nil, "300.000", "KWD", "2024-09-02").status(201).id()
	f.do("POST", fmt.Sprintf("/api/v1/contributions/%d/void", voided), f.staff, map[string]any{"reason": "bounced"}).status(200)
	f.pledge(f.swiss, "1000", "CHF", "2024-08-03").status(201)
	before := f.progress("")
	beforeAsOf := f.progress("?as_of=2024-08-15")
	eq(t, "donor_count before", before.body["donor_count"], float64(3))

	path := fmt.Sprintf("/api/v1/donors/%d/merge", twin)
	nothing := f.counts()
	f.do("POST", path, f.staff, map[string]any{"into_id": f.morocco, "reason": "same government"}).fails(403, "forbidden", "")
	f.do("POST", path, f.admin, map[string]any{"into_id": f.morocco}).fails(422, "validation_failed", "reason")
	f.do("POST", path, f.admin, map[string]any{"into_id": f.morocco, "reason": "  "}).fails(422, "validation_failed", "reason")
	f.do("POST", path, f.admin, map[string]any{"reason": "x"}).fails(422, "validation_failed", "into_id")
	f.do("POST", path, f.admin, map[string]any{"into_id": 999999, "reason": "x"}).fails(422, "validation_failed", "into_id")
	f.do("POST", path, f.admin, map[string]any{"into_id": twin, "reason": "x"}).fails(409, "conflict", "")
	f.do("POST", "/api/v1/donors/999999/merge", f.admin, map[string]any{"into_id": f.morocco, "reason": "x"}).fails(404, "not_found", "")
	f.do("POST", path, f.admin, map[string]any{"into_id": f.morocco, "reason": "x", "extra": 1}).fails(422, "validation_failed", "extra")
	f.unchanged(nothing, "refused merges")

	m := f.do("POST", path, f.admin, map[string]any{"into_id": f.morocco, "reason": "Same government, entered in French"}).status(200)
	eq(t, "merged_into", m.body["merged_into"], float64(f.morocco))
	eq(t, "merge_reason", m.str("merge_reason"), "Same government, entered in French")
	g := f.do("GET", fmt.Sprintf("/api/v1/donors/%d", twin), f.staff, nil).status(200)
	eq(t, "GET merged_into", g.body["merged_into"], float64(f.morocco))

	// Progress is unchanged, the donor count falls by one, now and as of a day.
	after := f.progress("")
	for _, k := range []string{"paid", "outstanding_pledges", "pledged", "percent_paid", "contribution_count"} {
		eq(t, k, after.body[k], before.body[k])
	}
	eq(t, "donor_count after", after.body["donor_count"], float64(2))
	afterAsOf := f.progress("?as_of=2024-08-15")
	eq(t, "as_of paid", afterAsOf.body["paid"], beforeAsOf.body["paid"])
	eq(t, "as_of donor_count", afterAsOf.body["donor_count"], beforeAsOf.body["donor_count"].(float64)-1)
	// The breakdown shows one donor, with both donors' money.
	shares := f.do("GET", fmt.Sprintf("/api/v1/funds/%d/donors", f.fund), "", nil).status(200).items()
	var names []string
	for _, s := range shares {
		names = append(names, s["name"].(string))
		if s["name"] == "Kingdom of Morocco" {
			eq(t, "morocco paid", s["paid"], "1222222.22") // 1,000,000 + EUR 200,000 at 0.9
		}
	}
	sort.Strings(names)
	eq(t, "breakdown", names, []string{"Kingdom of Morocco", "Swiss Foundation"})
	// Records moved; the merged donor is out of lists and cannot take new records.
	eq(t, "pledge donor", f.do("GET", fmt.Sprintf("/api/v1/pledges/%d", p), f.staff, nil).status(200).body["donor_id"], float64(f.morocco))
	for _, c := range f.do("GET", fmt.Sprintf("/api/v1/contributions?donor_id=%d", twin), f.staff, nil).status(200).items() {
		t.Fatalf("contribution %v still under the merged donor", c["id"])
	}
	eq(t, "moved contributions", len(f.do("GET", fmt.Sprintf("/api/v1/contributions?donor_id=%d", f.morocco), f.staff, nil).status(200).items()), 3)
	for _, d := range f.do("GET", "/api/v1/donors?q=maroc", f.staff, nil).status(200).items() {
		t.Fatalf("merged donor listed: %v", d)
	}
	for _, d := range f.do("GET", fmt.Sprintf("/api/v1/donors?fund_id=%d", f.fund), f.staff, nil).status(200).items() {
		if d["id"] == float64(twin) {
			t.Fatal("merged donor in the fund's donor picker")
		}
	}
	f.pledge(twin, "10.00", "EUR", "2024-08-01").fails(422, "validation_failed", "donor_id")
	f.pay(twin, nil, "10.00", "EUR", "2024-08-01").fails(422, "validation_failed", "donor_id")
	f.do("PATCH", fmt.Sprintf("/api/v1/donors/%d", twin), f.staff, map[string]any{"name": "X"}).fails(409, "conflict", "")
	// A new donor with the merged one's name is no duplicate of it.
	f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": "Royaume du Maroc", "kind": "government", "country_code": "MA"}).status(201)
	// Conflicts: merged again, into a merged donor.
	f.do("POST", path, f.admin, map[string]any{"into_id": f.swiss, "reason": "again"}).fails(409, "conflict", "")
	f.do("POST", fmt.Sprintf("/api/v1/donors/%d/merge", other), f.admin, map[string]any{"into_id": twin, "reason": "x"}).fails(409, "conflict", "")
	// Audited: the donor and each record moved.
	audit := f.do("GET", fmt.Sprintf("/api/v1/audit?entity=donor&entity_id=%d&action=merge", twin), f.admin, nil).status(200).items()
	eq(t, "donor merge audit rows", len(audit), 1)
	eq(t, "audit actor", audit[0]["actor"], "admin@example.org")
	eq(t, "record merge audit rows", len(f.do("GET", "/api/v1/audit?entity=contribution&action=merge", f.admin, nil).status(200).items()), 2)
	// The aggregates equal a full rebuild.
	ctx := context.Background()
	kept, err := f.store.AggregateSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.RebuildAggregates(ctx); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := f.store.AggregateSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(kept, rebuilt) {
		t.Fatalf("aggregates after the merge differ from a rebuild:\nkept    %v\nrebuilt %v", kept, rebuilt)
	}
}

// listFixture records pledges and contributions on several days, in several
// currencies and earmarkings, some cancelled or voided.
func listFixture(t *testing.T) *fixture {
	f := newFixture(t)
	ecole := f.do("POST", "/api/v1/donors", f.staff, map[string]any{"name": "École Sans Frontières", "kind": "ngo", "country_code": "FR"}).status(201).id()
	p1 := f.pledge(f.morocco, "1000000.00", "USD", "2024-08-01", "reference", "MA-2024-01", "stage", "commitment").status(201).id()
	f.pledge(f.swiss, "500000.00", "EUR", "2024-08-01", "earmarking", "earmarked").status(201)
	p3 := f.pledge(ecole, "30000", "JPY", "2024-07-15", "reference", "ÉCOLE-7").status(201).id()
	f.pledge(f.swiss, "250.500", "KWD", "2024-09-10", "due_on", "2024-10-01").status(201)
	f.do("POST", fmt.Sprintf("/api/v1/pledges/%d/cancel", p3), f.staff, map[string]any{"reason": "withdrawn"}).status(200)
	f.pay(f.morocco, p1, "400000.00", "USD", "2024-08-20").status(201)
	f.pay(f.morocco, nil, "1000.00", "EUR", "2024-08-20").status(201)
	v := f.pay(ecole, nil, "70.00", "EUR", "2024-07-30").status(201).id()
	f.do("POST", fmt.Sprintf("/api/v1/contributions/%d/void", v), f.staff, map[string]any{"reason": "bounced"}).status(200)
	f.pay(ecole, nil, "5000", "JPY", "2024-09-01").status(201)
	f.pay(f.swiss, nil, "12.345", "KWD", "2024-08-20").status(201)
	return f
}

func TestListsAreNewestFirstAndPageByDate(t *testing.T) {
	f := listFixture(t)
	for _, l := range []struct{ path, date string }{{"/api/v1/pledges", "pledged_on"}, {"/api/v1/contributions", "received_on"}} {
		all := f.do("GET", l.path+"?limit=1000", f.staff, nil).status(200).items()
		for i := 1; i < len(all); i++ {
			a, b := all[i-1], all[i]
			if a[l.date].(string) < b[l.date].(string) || (a[l.date] == b[l.date] && a["id"].(float64) < b["id"].(float64)) {
				t.Fatalf("%s not newest first: %v (%v) before %v (%v)", l.path, a["id"], a[l.date], b["id"], b[l.date])
			}
		}
		// Pages of 1 and 2 walk the same list, with no item missed or repeated.
		for _, size := range []int{1, 2} {
			var walked []any
			next := ""
			for pages := 0; ; pages++ {
				q := fmt.Sprintf("%s?limit=%d", l.path, size)
				if next != "" {
					q += "&cursor=" + url.QueryEscape(next)
				}
				r := f.do("GET", q, f.staff, nil).status(200)
				for _, it := range r.items() {
					walked = append(walked, it["id"])
				}
				n, _ := r.body["next"].(string)
				if n == "" || pages > 20 {
					break
				}
				next = n
			}
			var ids []any
			for _, it := range all {
				ids = append(ids, it["id"])
			}
			eq(t, fmt.Sprintf("%s pages of %d", l.path, size), walked, ids)
		}
		f.do("GET", l.path+"?cursor=bm9wZQ", f.staff, nil).fails(422, "validation_failed", "cursor")
	}
}

func TestListFiltersAndTotals(t *testing.T) {
	f := listFixture(t)
	type want struct {
		n     int
		count float64
		usd   string
		by    map[string]string
	}
	for _, c := range []struct {
		path string
		want want
	}{
		// Pledges: the cancelled JPY pledge is listed but left out of the totals.
		{"/api/v1/pledges?totals=1", want{4, 3, "1556371.52", map[string]string{"EUR": "500000.00", "KWD": "250.500", "USD": "1000000.00"}}},
		{"/api/v1/pledges?totals=1&q=ecole", want{1, 0, "0.00", map[string]string{}}},        // donor name, accents and case aside
		{"/api/v1/pledges?totals=1&q=%C3%A9cole-7", want{1, 0, "0.00", map[string]string{}}}, // reference
		{"/api/v1/pledges?totals=1&q=MA-2024", want{1, 1, "1000000.00", map[string]string{"USD": "1000000.00"}}},
		{"/api/v1/pledges?totals=1&currency=eur", want{1, 1, "555555.56", map[string]string{"EUR": "500000.00"}}},
		{"/api/v1/pledges?totals=1&earmarking=earmarked", want{1, 1, "555555.56", map[string]string{"EUR": "500000.00"}}},
		{"/api/v1/pledges?totals=1&from=2024-08-01&to=2024-08-01", want{2, 2, "1555555.56", map[string]string{"EUR": "500000.00", "USD": "1000000.00"}}},
		{"/api/v1/pledges?totals=1&status=cancelled", want{1, 0, "0.00", map[string]string{}}},
		{"/api/v1/pledges?totals=1&status=partially_paid", want{1, 1, "1000000.00", map[string]string{"USD": "1000000.00"}}},
		{"/api/v1/pledges?totals=1&stage=commitment", want{1, 1, "1000000.00", map[string]string{"USD": "1000000.00"}}},
		// Contributions: the voided EUR 70 is listed by default, never in the totals.
		{"/api/v1/contributions?totals=1", want{5, 4, "401184.65", map[string]string{"EUR": "1000.00", "JPY": "5000", "KWD": "12.345", "USD": "400000.00"}}},
		{"/api/v1/contributions?totals=1&voided=exclude", want{4, 4, "401184.65", map[string]string{"EUR": "1000.00", "JPY": "5000", "KWD": "12.345", "USD": "400000.00"}}},
		{"/api/v1/contributions?totals=1&voided=only", want{1, 0, "0.00", map[string]string{}}},
		{"/api/v1/contributions?totals=1&voided=include&q=%C3%89COLE", want{2, 1, "33.33", map[string]string{"JPY": "5000"}}},
		{"/api/v1/contributions?totals=1&from=2024-08-20&to=2024-08-20&currency=KWD", want{1, 1, "40.21", map[string]string{"KWD": "12.345"}}},
		{"/api/v1/contributions?totals=1&earmarking=softly_earmarked", want{0, 0, "0.00", map[string]string{}}},
	} {
		r := f.do("GET", c.path, f.staff, nil).status(200)
		eq(t, c.path+" items", len(r.items()), c.want.n)
		tot, ok := r.body["totals"].(map[string]any)
		if !ok {
			t.Fatalf("%s: no totals in %s", c.path, r.raw)
		}
		eq(t, c.path+" count", tot["count"], c.want.count)
		eq(t, c.path+" amount_usd", tot["amount_usd"], c.want.usd)
		by := map[string]string{}
		for _, b := range tot["by_currency"].([]any) {
			m := b.(map[string]any)
			by[m["currency"].(string)] = m["amount"].(string)
		}
		eq(t, c.path+" by_currency", by, c.want.by)
		// The totals equal the sums of the listed rows that count.
		sum := decimal.Zero
		for _, it := range r.items() {
			if it["voided"] == true || it["cancelled"] == true {
				continue
			}
			sum = sum.Add(decimal.RequireFromString(it["amount_usd"].(string)))
		}
		eq(t, c.path+" sum of rows", sum.StringFixed(2), c.want.usd)
	}
	// The exports take the same filters: voided rows left out on demand, BOM first.
	csvBody := string(f.do("GET", "/api/v1/exports/contributions.csv?voided=exclude&bom=1", f.staff, nil).status(200).raw)
	if !strings.HasPrefix(csvBody, "\uFEFF") || strings.Count(strings.TrimSpace(csvBody), "\n") != 4 {
		t.Fatalf("contributions.csv?voided=exclude&bom=1:\n%s", csvBody)
	}
	csvBody = string(f.do("GET", "/api/v1/exports/pledges.csv?q=ecole&status=cancelled", f.staff, nil).status(200).raw)
	if strings.Count(strings.TrimSpace(csvBody), "\n") != 1 || !strings.Contains(csvBody, "ÉCOLE-7") {
		t.Fatalf("pledges.csv?q=ecole&status=cancelled:\n%s", csvBody)
	}
	// Without totals=1 there are none.
	if _, ok := f.do("GET", "/api/v1/pledges", f.staff, nil).status(200).body["totals"]; ok {
		t.Fatal("totals without totals=1")
	}
	// Totals are over the whole filtered set, not the page.
	r := f.do("GET", "/api/v1/contributions?totals=1&limit=1", f.staff, nil).status(200)
	eq(t, "paged totals", r.body["totals"].(map[string]any)["amount_usd"], "401184.65")
	// Invalid values are 422 naming the parameter.
	for _, c := range []struct{ path, param string }{
		{"/api/v1/pledges?status=late", "status"}, {"/api/v1/pledges?stage=maybe", "stage"},
		{"/api/v1/pledges?earmarking=some", "earmarking"}, {"/api/v1/pledges?currency=XXX", "currency"},
		{"/api/v1/pledges?from=2024-13-01", "from"}, {"/api/v1/pledges?to=yesterday", "to"},
		{"/api/v1/pledges?from=2024-09-01&to=2024-08-01", "to"}, {"/api/v1/pledges?totals=yes", "totals"},
		{"/api/v1/contributions?voided=no", "voided"}, {"/api/v1/contributions?earmarking=x", "earmarking"},
		{"/api/v1/contributions?currency=euro", "currency"}, {"/api/v1/contributions?totals=2", "totals"},
		{"/api/v1/contributions?from=2024-02-30", "from"},
	} {
		f.do("GET", c.path, f.staff, nil).fails(422, "validation_failed", c.param)
	}
	// rate_effective_on: the rate recorded in force, null for USD.
	for _, it := range f.do("GET", "/api/v1/pledges?currency=EUR", f.staff, nil).status(200).items() {
		eq(t, "pledge rate_effective_on", it["rate_effective_on"], "2024-07-01")
	}
	for _, it := range f.do("GET", "/api/v1/contributions?currency=USD", f.staff, nil).status(200).items() {
		eq(t, "USD rate_effective_on", it["rate_effective_on"], nil)
	}
	eq(t, "created rate_effective_on", f.pay(f.swiss, nil, "1.00", "CHF", "2024-08-02").status(201).body["rate_effective_on"], "2024-01-01")
	// A rate given by hand: the recorded rate's day when it is that rate, else null; the answer
	// of the write and GET agree.
	for _, c := range []struct {
		rate string
		want any
	}{{"0.88", "2024-01-01"}, {"0.8800", "2024-01-01"}, {"0.87", nil}} {
		r := f.do("POST", "/api/v1/contributions", f.staff, map[string]any{"fund_id": f.fund, "donor_id": f.swiss, "amount": "1.00",
			"currency": "CHF", "exchange_rate": c.rate, "received_on": "2024-08-02"}).status(201)
		eq(t, "rate "+c.rate+" rate_effective_on", r.body["rate_effective_on"], c.want)
		eq(t, "rate "+c.rate+" GET", f.do("GET", fmt.Sprintf("/api/v1/contributions/%d", r.id()), f.staff, nil).status(200).body["rate_effective_on"], c.want)
	}
	q := f.do("GET", "/api/v1/exchange-rates/quote?currency=CHF&on=2024-08-02", f.staff, nil).status(200)
	eq(t, "quote rate_effective_on", q.body["rate_effective_on"], "2024-01-01")
	eq(t, "quote rate_age_days", q.body["rate_age_days"], float64(214))
	eq(t, "quote stale", q.body["stale"], true)
	q = f.do("GET", "/api/v1/exchange-rates/quote?currency=EUR&on=2024-08-02", f.staff, nil).status(200)
	eq(t, "fresh quote", q.body["stale"], false)
	eq(t, "threshold", q.body["stale_after_days"], float64(45))
}

func TestPledgeAmountChangesNeverBelowPaid(t *testing.T) {
	f := newFixture(t)
	p := f.pledge(f.swiss, "100000.00", "EUR", "2024-08-01").status(201).id()
	f.pay(f.swiss, p, "40000.00", "EUR", "2024-08-10").status(201)
	path := fmt.Sprintf("/api/v1/pledges/%d", p)
	before := f.counts()
	f.do("PATCH", path, f.staff, map[string]any{"amount": "39999.99"}).fails(422, "validation_failed", "amount")
	f.do("PATCH", path, f.staff, map[string]any{"amount": "50000.000"}).fails(422, "validation_failed", "amount")
	f.do("PATCH", path, f.staff, map[string]any{"amount": "0"}).fails(422, "validation_failed", "amount")
	f.unchanged(before, "refused amount changes")
	eq(t, "outstanding before", f.progress("").body["outstanding_pledges"], "66666.67")
	r := f.do("PATCH", path, f.staff, map[string]any{"amount": "50000.00", "reference": "AGR-9"}).status(200)
	eq(t, "amount", r.str("amount"), "50000.00")
	eq(t, "amount_usd", r.str("amount_usd"), "55555.56")
	eq(t, "outstanding", r.str("outstanding"), "10000.00")
	eq(t, "progress outstanding", f.progress("").body["outstanding_pledges"], "11111.11")
	// The answer of a write carries rate_effective_on as GET does (loaded with the pledge).
	eq(t, "patched rate_effective_on", r.body["rate_effective_on"], f.do("GET", path, f.staff, nil).status(200).body["rate_effective_on"])
	if r.body["rate_effective_on"] == nil {
		t.Fatal("a EUR pledge at the recorded rate has no rate_effective_on")
	}
	f.do("PATCH", path, f.staff, map[string]any{"amount": "40000.00"}).status(200)
	eq(t, "fulfilled", f.do("GET", path, f.staff, nil).status(200).str("status"), "fulfilled")
	audit := f.do("GET", fmt.Sprintf("/api/v1/audit?entity=pledge&entity_id=%d&action=update", p), f.admin, nil).status(200).items()
	eq(t, "audit rows", len(audit), 2)
	ctx := context.Background()
	kept, _ := f.store.AggregateSnapshot(ctx)
	if err := f.store.RebuildAggregates(ctx); err != nil {
		t.Fatal(err)
	}
	rebuilt, _ := f.store.AggregateSnapshot(ctx)
	if !slices.Equal(kept, rebuilt) {
		t.Fatalf("aggregates differ from a rebuild:\nkept    %v\nrebuilt %v", kept, rebuilt)
	}
}

func TestBreakdownByEarmarkingAndCurrencyAsOf(t *testing.T) {
	f := listFixture(t)
	path := fmt.Sprintf("/api/v1/funds/%d/breakdown", f.fund)
	now := f.do("GET", path, "", nil).status(200)
	eq(t, "paid", now.str("paid"), f.progress("").str("paid"))
	byE := map[string]string{}
	for _, e := range now.body["by_earmarking"].([]any) {
		m := e.(map[string]any)
		byE[m["earmarking"].(string)] = m["paid"].(string)
	}
	eq(t, "by earmarking", byE, map[string]string{"unearmarked": "401184.65", "softly_earmarked": "0.00", "earmarked": "0.00"})
	byC := map[string]string{}
	for _, c := range now.body["by_currency"].([]any) {
		m := c.(map[string]any)
		byC[m["currency"].(string)] = m["amount"].(string) + "=" + m["paid_usd"].(string)
	}
	eq(t, "by currency", byC, map[string]string{"EUR": "1000.00=1111.11", "JPY": "5000=33.33", "KWD": "12.345=40.21", "USD": "400000.00=400000.00"})
	// As of a day: the voided EUR 70 received on 2024-07-30 counted until it was voided (today).
	then := f.do("GET", path+"?as_of=2024-07-31", "", nil).status(200)
	eq(t, "as_of paid", then.str("paid"), f.progress("?as_of=2024-07-31").str("paid"))
	eq(t, "as_of paid value", then.str("paid"), "77.78")
	f.do("GET", path+"?as_of=2024-02-30", "", nil).fails(422, "validation_failed", "as_of")
	f.do("GET", "/api/v1/funds/nope/breakdown", "", nil).fails(404, "not_found", "")
}
