package api_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/api"
	"github.com/fundtracker/fundtracker/models"
)

// Issue 15 through the real server: translations, donor links, acknowledgements, open data.

func TestTranslationsAndFallbacks(t *testing.T) {
	f := newFixture(t)
	// The fund in French and Arabic; Arabic without an organization (falls back).
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"translations": map[string]any{
		"fr": map[string]any{"name": "Fonds de résilience", "description": "Des fonds flexibles.", "organization": "OIM"},
		"ar": map[string]any{"name": "صندوق الصمود"},
	}}).status(200)
	f.do("PATCH", fmt.Sprintf("/api/v1/donors/%d", f.morocco), f.staff, map[string]any{
		"display_names": map[string]any{"fr": "Royaume du Maroc", "ar": "المملكة المغربية"}}).status(200)
	f.pay(f.morocco, nil, "1000.00", "USD", "2024-07-29").status(201)
	f.pay(f.anon, nil, "500.00", "USD", "2024-07-28").status(201) // the anonymous donor gives first

	cases := []struct {
		query, acceptLang                        string
		name, org, desc, firstDonor, moroccoName string
	}{
		{"", "", "Resilience Fund", "IOM", "", "Anonymous donor", "Kingdom of Morocco"},
		{"?lang=fr", "", "Fonds de résilience", "OIM", "Des fonds flexibles.", "Donateur anonyme", "Royaume du Maroc"},
		{"?lang=ar", "", "صندوق الصمود", "IOM", "", "مانح مجهول", "المملكة المغربية"},
		{"", "ar-MA,ar;q=0.9", "صندوق الصمود", "IOM", "", "مانح مجهول", "المملكة المغربية"},
		{"", "fr-CA, en;q=0.5", "Fonds de résilience", "OIM", "Des fonds flexibles.", "Donateur anonyme", "Royaume du Maroc"},
		{"?lang=en", "fr", "Resilience Fund", "IOM", "", "Anonymous donor", "Kingdom of Morocco"}, // ?lang= wins
		{"?lang=de", "", "Resilience Fund", "IOM", "", "Anonymous donor", "Kingdom of Morocco"},   // not spoken: base
	}
	for _, c := range cases {
		h := []string{}
		if c.acceptLang != "" {
			h = []string{"Accept-Language", c.acceptLang}
		}
		fund := f.do("GET", "/api/v1/funds/resilience"+c.query, "", nil, h...).status(200)
		eq(t, c.query+c.acceptLang+" name", fund.str("name"), c.name)
		eq(t, c.query+c.acceptLang+" organization", fund.str("organization"), c.org)
		eq(t, c.query+c.acceptLang+" description", fund.str("description"), c.desc)
		tr := fund.body["translations"].(map[string]any)
		eq(t, "translations always whole", len(tr), 2)
		eq(t, "fr name kept", tr["fr"].(map[string]any)["name"], "Fonds de résilience")
		list := f.do("GET", "/api/v1/funds"+c.query, "", nil, h...).status(200).items()
		eq(t, "list name", list[0]["name"], c.name)

		p := f.do("GET", "/api/v1/funds/resilience/progress"+c.query, "", nil, h...).status(200)
		eq(t, c.query+c.acceptLang+" first donor", p.body["first_contribution"].(map[string]any)["donor"], c.firstDonor)

		names := map[string]bool{}
		for _, d := range f.do("GET", "/api/v1/funds/resilience/donors"+c.query, "", nil, h...).status(200).items() {
			names[d["name"].(string)] = true
		}
		if !names[c.firstDonor] || !names[c.moroccoName] || names["Jane Secret"] {
			t.Fatalf("%s: donor names %v", c.query, names)
		}
		csvBody := string(f.do("GET", "/api/v1/funds/resilience/donors.csv"+c.query, "", nil, h...).status(200).raw)
		if !strings.Contains(csvBody, c.firstDonor) || !strings.Contains(csvBody, c.moroccoName) || strings.Contains(csvBody, "Jane") {
			t.Fatalf("%s: donors.csv %s", c.query, csvBody)
		}
	}

	// PATCH merges per language and per field; null removes a language; "" clears a field.
	r := f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"translations": map[string]any{
		"fr": map[string]any{"description": ""}, "ar": nil}}).status(200)
	tr := r.body["translations"].(map[string]any)
	eq(t, "ar removed", tr["ar"], nil)
	eq(t, "fr name kept", tr["fr"].(map[string]any)["name"], "Fonds de résilience")
	eq(t, "fr description cleared", tr["fr"].(map[string]any)["description"], "")
	eq(t, "fr description falls back", f.do("GET", "/api/v1/funds/resilience?lang=fr", "", nil).status(200).str("description"), "")

	// Refused: a language not translated into, a field of the wrong kind, a name too long. Nothing written.
	before := f.counts()
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"translations": map[string]any{"de": map[string]any{"name": "x"}}}).
		fails(422, "validation_failed", "translations.de")
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"translations": map[string]any{"fr": map[string]any{"name": strings.Repeat("x", 201)}}}).
		fails(422, "validation_failed", "translations.fr.name")
	f.do("PATCH", fmt.Sprintf("/api/v1/donors/%d", f.morocco), f.staff, map[string]any{"display_names": map[string]any{"xx": "y"}}).
		fails(422, "validation_failed", "display_names.xx")
	f.do("POST", "/api/v1/funds", f.admin, map[string]any{"code": "other", "name": "Other", "target_usd": "10.00",
		"translations": map[string]any{"fr": map[string]any{"nom": "Autre"}}}).fails(422, "validation_failed", "")
	f.unchanged(before, "refused translations")
	// POST takes translations too.
	r = f.do("POST", "/api/v1/funds", f.admin, map[string]any{"code": "other", "name": "Other", "target_usd": "10.00",
		"translations": map[string]any{"ar": map[string]any{"name": "صندوق آخر"}}}).status(201)
	eq(t, "created translations", r.body["translations"].(map[string]any)["ar"].(map[string]any)["name"], "صندوق آخر")
	d := f.do("GET", fmt.Sprintf("/api/v1/donors/%d", f.morocco), f.staff, nil).status(200)
	eq(t, "display_names", d.body["display_names"].(map[string]any)["ar"], "المملكة المغربية")
}

func TestDonorLinkShowsOnlyThatDonor(t *testing.T) {
	f := newFixture(t)
	f.do("PATCH", fmt.Sprintf("/api/v1/donors/%d", f.morocco), f.staff, map[string]any{
		"display_names": map[string]any{"fr": "Royaume du Maroc", "ar": "المملكة المغربية"}}).status(200)
	p := f.pledge(f.morocco, "200000.00", "EUR", "2024-08-01", "due_on", "2030-12-31").status(201).id()
	f.pay(f.morocco, p, "50000.00", "EUR", "2024-09-01").status(201)
	f.pay(f.morocco, nil, "1000.00", "USD", "2024-10-01").status(201)
	voided := f.pay(f.morocco, nil, "7777.00", "USD", "2024-10-02").status(201).id()
	f.do("POST", fmt.Sprintf("/api/v1/contributions/%d/void", voided), f.staff, map[string]any{"reason": "duplicate"}).status(200)
	// Another donor's records, with recognisable figures and references.
	f.pledge(f.swiss, "999999.00", "CHF", "2024-08-01").status(201)
	f.do("POST", "/api/v1/contributions", f.staff, map[string]any{"fund_id": f.fund, "donor_id": f.swiss, "amount": "4242.42",
		"currency": "CHF", "received_on": "2024-09-01", "reference": "SWISS-SECRET-REF"}).status(201)

	today := models.Today()
	exp := models.DateOf(time.Now().UTC().AddDate(0, 0, 1))
	link := f.do("POST", fmt.Sprintf("/api/v1/donors/%d/links", f.morocco), f.staff, map[string]any{"expires_on": string(exp)}).status(201)
	url := link.str("url")
	eq(t, "expires_on", link.str("expires_on"), exp)
	if !strings.HasPrefix(url, "/donor/") || len(strings.TrimPrefix(url, "/donor/")) < 40 {
		t.Fatalf("url %q: want /donor/{token} with a long token", url)
	}
	token := strings.TrimPrefix(url, "/donor/")

	// The JSON view, in three languages.
	for lang, name := range map[string]string{"en": "Kingdom of Morocco", "fr": "Royaume du Maroc", "ar": "المملكة المغربية"} {
		v := f.do("GET", "/api/v1/donor-view/"+token+"?lang="+lang, "", nil).status(200)
		eq(t, "no-store", v.header.Get("Cache-Control"), "no-store")
		eq(t, lang+" donor", v.body["donor"].(map[string]any)["name"], name)
		raw := string(v.raw)
		for _, other := range []string{"Swiss", "SWISS-SECRET-REF", "4242.42", "999999", "Jane", "7777"} {
			if strings.Contains(raw, other) {
				t.Fatalf("the statement shows %q of another donor or a voided record: %s", other, raw)
			}
		}
		eq(t, "pledges", len(v.body["pledges"].([]any)), 1)
		eq(t, "contributions", len(v.body["contributions"].([]any)), 2)
		byCur := map[string]map[string]any{}
		for _, c := range v.body["totals_by_currency"].([]any) {
			byCur[c.(map[string]any)["currency"].(string)] = c.(map[string]any)
		}
		eq(t, "EUR paid", byCur["EUR"]["paid"], "50000.00")
		eq(t, "EUR outstanding", byCur["EUR"]["outstanding"], "150000.00")
		eq(t, "USD paid", byCur["USD"]["paid"], "1000.00")
		eq(t, "fund totals", len(v.body["totals_by_fund"].([]any)), 1)
	}
	// The page, and a statement period.
	page := f.do("GET", url+"?lang=fr", "", nil).status(200)
	if !strings.Contains(string(page.raw), "Royaume du Maroc") || strings.Contains(string(page.raw), "SWISS") {
		t.Fatalf("page: %s", page.raw)
	}
	eq(t, "page referrer policy", page.header.Get("Referrer-Policy"), "no-referrer")
	v := f.do("GET", "/api/v1/donor-view/"+token+"?from=2024-09-15&to=2024-12-31", "", nil).status(200)
	eq(t, "period contributions", len(v.body["contributions"].([]any)), 1)
	eq(t, "period pledges", len(v.body["pledges"].([]any)), 0)
	f.do("GET", "/api/v1/donor-view/"+token+"?from=2024-12-31&to=2024-01-01", "", nil).fails(422, "validation_failed", "to")

	// The list shows no secret; use is audited once a day.
	list := f.do("GET", fmt.Sprintf("/api/v1/donors/%d/links", f.morocco), f.staff, nil).status(200)
	if strings.Contains(string(list.raw), token) || strings.Contains(string(list.raw), "url") {
		t.Fatalf("list shows the secret: %s", list.raw)
	}
	eq(t, "last used", list.items()[0]["last_used_on"], today)
	audit := f.do("GET", "/api/v1/audit?entity=donor_link", f.admin, nil).status(200).items()
	actions := map[string]int{}
	for _, a := range audit {
		actions[a["action"].(string)]++
	}
	eq(t, "audited create", actions["create"], 1)
	eq(t, "audited use once a day", actions["use"], 1)

	// Expired (the server's clock two days later), unknown and revoked all give the same 404.
	later := httptest.NewServer(api.New(api.Config{}, f.store.At(time.Now().AddDate(0, 0, 2))))
	defer later.Close()
	get := func(base, path string) (int, string) {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	expiredCode, expiredBody := get(later.URL, "/api/v1/donor-view/"+token)
	unknownCode, unknownBody := get(f.srv.URL, "/api/v1/donor-view/ftd_"+strings.Repeat("A", 43))
	shortCode, shortBody := get(f.srv.URL, "/api/v1/donor-view/x")
	f.do("DELETE", fmt.Sprintf("/api/v1/donor-links/%d", link.id()), f.staff, nil).status(204)
	f.do("DELETE", fmt.Sprintf("/api/v1/donor-links/%d", link.id()), f.staff, nil).status(204)
	f.do("DELETE", "/api/v1/donor-links/999999", f.staff, nil).fails(404, "not_found", "")
	revokedCode, revokedBody := get(f.srv.URL, "/api/v1/donor-view/"+token)
	for _, c := range [][2]any{{expiredCode, expiredBody}, {unknownCode, unknownBody}, {shortCode, shortBody}, {revokedCode, revokedBody}} {
		if c[0] != 404 || c[1] != revokedBody {
			t.Fatalf("got %v %v; want the same 404 as revoked: %s", c[0], c[1], revokedBody)
		}
	}
	pageCode, _ := get(f.srv.URL, url)
	eq(t, "revoked page", pageCode, 404)
	list = f.do("GET", fmt.Sprintf("/api/v1/donors/%d/links", f.morocco), f.staff, nil).status(200)
	eq(t, "status", list.items()[0]["status"], "revoked")
	actions = map[string]int{}
	for _, a := range f.do("GET", "/api/v1/audit?entity=donor_link", f.admin, nil).status(200).items() {
		actions[a["action"].(string)]++
	}
	eq(t, "audited revoke", actions["revoke"], 1)

	// Refused inputs write nothing; links need staff.
	before := f.counts()
	f.do("POST", fmt.Sprintf("/api/v1/donors/%d/links", f.morocco), f.staff, map[string]any{}).fails(422, "validation_failed", "expires_on")
	f.do("POST", fmt.Sprintf("/api/v1/donors/%d/links", f.morocco), f.staff, map[string]any{"expires_on": "2020-01-01"}).fails(422, "validation_failed", "expires_on")
	f.do("POST", fmt.Sprintf("/api/v1/donors/%d/links", f.morocco), f.staff, map[string]any{"expires_on": string(exp), "fund_id": 99999}).fails(422, "validation_failed", "fund_id")
	f.do("POST", "/api/v1/donors/99999/links", f.staff, map[string]any{"expires_on": string(exp)}).fails(404, "not_found", "")
	f.do("POST", fmt.Sprintf("/api/v1/donors/%d/links", f.morocco), "", map[string]any{"expires_on": string(exp)}).fails(401, "unauthorized", "")
	f.do("GET", fmt.Sprintf("/api/v1/donors/%d/links", f.morocco), "", nil).fails(401, "unauthorized", "")
	f.unchanged(before, "refused links")

	// A link limited to a fund shows nothing of another fund.
	other := f.do("POST", "/api/v1/funds", f.admin, map[string]any{"code": "other", "name": "Other", "target_usd": "100.00"}).status(201).id()
	f.do("POST", "/api/v1/contributions", f.staff, map[string]any{"fund_id": other, "donor_id": f.morocco, "amount": "31.00",
		"currency": "USD", "received_on": "2024-09-01"}).status(201)
	l2 := f.do("POST", fmt.Sprintf("/api/v1/donors/%d/links", f.morocco), f.staff, map[string]any{"expires_on": string(exp), "fund_id": other}).status(201)
	v = f.do("GET", "/api/v1/donor-view/"+strings.TrimPrefix(l2.str("url"), "/donor/"), "", nil).status(200)
	eq(t, "fund-limited contributions", len(v.body["contributions"].([]any)), 1)
	eq(t, "fund-limited pledges", len(v.body["pledges"].([]any)), 0)
}

func TestDonorViewIsThrottled(t *testing.T) {
	f := newFixture(t)
	limited := 0
	for i := 0; i < 200 && limited == 0; i++ {
		r := f.do("GET", "/api/v1/donor-view/guess"+fmt.Sprint(i), "", nil)
		if r.code == 429 {
			limited = i
			r.fails(429, "rate_limited", "")
			if r.header.Get("Retry-After") == "" {
				t.Fatal("no Retry-After")
			}
		} else {
			r.fails(404, "not_found", "")
		}
	}
	if limited == 0 {
		t.Fatal("200 guesses from one address were never throttled")
	}
}

func TestAcknowledgements(t *testing.T) {
	f := newFixture(t)
	c := f.pay(f.morocco, nil, "1000.00", "USD", "2024-07-29").status(201)
	eq(t, "default", c.str("acknowledgement"), "to_be_acknowledged")
	eq(t, "default date", c.body["acknowledged_on"], nil)
	id := c.id()
	other := f.pay(f.swiss, nil, "10.00", "USD", "2024-07-30").status(201).id()
	path := fmt.Sprintf("/api/v1/contributions/%d/acknowledge", id)
	today := models.Today()

	r := f.do("POST", path, f.staff, map[string]any{"acknowledgement": "acknowledged"}).status(200)
	eq(t, "acknowledged", r.str("acknowledgement"), "acknowledged")
	eq(t, "defaults to today", r.str("acknowledged_on"), today)
	r = f.do("POST", path, f.staff, map[string]any{"acknowledgement": "acknowledged", "acknowledged_on": "2024-08-02"}).status(200)
	eq(t, "given date", r.str("acknowledged_on"), "2024-08-02")
	eq(t, "read back", f.do("GET", fmt.Sprintf("/api/v1/contributions/%d", id), f.staff, nil).status(200).str("acknowledged_on"), "2024-08-02")

	// The filter.
	for q, want := range map[string]int{"acknowledged": 1, "to_be_acknowledged": 1, "do_not_acknowledge": 0} {
		items := f.do("GET", "/api/v1/contributions?acknowledgement="+q, f.staff, nil).status(200).items()
		eq(t, q, len(items), want)
	}
	f.do("GET", "/api/v1/contributions?acknowledgement=maybe", f.staff, nil).fails(422, "validation_failed", "acknowledgement")

	r = f.do("POST", fmt.Sprintf("/api/v1/contributions/%d/acknowledge", other), f.staff, map[string]any{"acknowledgement": "do_not_acknowledge"}).status(200)
	eq(t, "do not: null date", r.body["acknowledged_on"], nil)

	before := f.counts()
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{}, "acknowledgement"},
		{map[string]any{"acknowledgement": "thanked"}, "acknowledgement"},
		{map[string]any{"acknowledgement": "to_be_acknowledged", "acknowledged_on": "2024-08-02"}, "acknowledged_on"},
		{map[string]any{"acknowledgement": "acknowledged", "acknowledged_on": "2999-01-01"}, "acknowledged_on"},
		{map[string]any{"acknowledgement": "acknowledged", "acknowledged_on": "2024-02-30"}, "acknowledged_on"},
	} {
		f.do("POST", path, f.staff, c.body).fails(422, "validation_failed", c.field)
	}
	f.do("POST", "/api/v1/contributions/99999/acknowledge", f.staff, map[string]any{"acknowledgement": "acknowledged"}).fails(404, "not_found", "")
	f.do("POST", path, "", map[string]any{"acknowledgement": "acknowledged"}).fails(401, "unauthorized", "")
	f.unchanged(before, "refused acknowledgements")
	audit := f.do("GET", fmt.Sprintf("/api/v1/audit?entity=contribution&entity_id=%d&action=acknowledge", id), f.admin, nil).status(200).items()
	eq(t, "audited", len(audit), 2)

	// The receipt: a printable letter in the language.
	for lang, want := range map[string][2]string{"en": {"Kingdom of Morocco", "1,000.00"}, "fr": {"Reçu", "1\u202f000,00"}, "ar": {"إيصال", "1.000,00"}} {
		res := f.do("GET", fmt.Sprintf("/contributions/%d/receipt?lang=%s", id, lang), f.staff, nil).status(200)
		body := string(res.raw)
		if !strings.Contains(body, want[0]) || !strings.Contains(body, want[1]) || !strings.Contains(body, "Resilience Fund") {
			t.Fatalf("%s receipt lacks %q or the amount: %s", lang, want, body)
		}
	}
	f.do("GET", fmt.Sprintf("/api/v1/contributions/%d/receipt", id), "", nil).fails(401, "unauthorized", "")
	// A voided contribution was never received: no thank-you letter, as no acknowledgement.
	f.do("POST", fmt.Sprintf("/api/v1/contributions/%d/void", other), f.staff, map[string]any{"reason": "Duplicate"}).status(200)
	for _, path := range []string{"/contributions/%d/receipt", "/api/v1/contributions/%d/receipt"} {
		f.do("GET", fmt.Sprintf(path, other), f.staff, nil).fails(409, "conflict", "")
	}
}

func TestSnapshotIsByteIdenticalAndVerifies(t *testing.T) {
	f := newFixture(t)
	f.do("PATCH", fmt.Sprintf("/api/v1/donors/%d", f.morocco), f.staff, map[string]any{"display_names": map[string]any{"fr": "Royaume du Maroc"}}).status(200)
	p := f.pledge(f.swiss, "100000.00", "EUR", "2024-08-01").status(201).id()
	f.pay(f.swiss, p, "30000.00", "EUR", "2024-09-15").status(201)
	f.pay(f.morocco, nil, "1000.00", "USD", "2024-07-29").status(201)
	f.pay(f.anon, nil, "250.00", "USD", "2024-10-01").status(201)
	v := f.pay(f.morocco, nil, "5.00", "USD", "2024-10-02").status(201).id()
	f.do("POST", fmt.Sprintf("/api/v1/contributions/%d/void", v), f.staff, map[string]any{"reason": "typo"}).status(200)

	path := "/api/v1/funds/resilience/snapshot.zip?as_of=2024-12-31"
	a := f.do("GET", path, "", nil).status(200)
	time.Sleep(1100 * time.Millisecond) // a clock in the file would move
	b := f.do("GET", path, "", nil).status(200)
	if !bytes.Equal(a.raw, b.raw) {
		t.Fatal("two downloads of the same as_of differ")
	}
	sum := sha256.Sum256(a.raw)
	eq(t, "ETag", a.header.Get("ETag"), `"`+hex.EncodeToString(sum[:])+`"`)
	eq(t, "content type", a.header.Get("Content-Type"), "application/zip")
	f.do("GET", path, "", nil, "If-None-Match", a.header.Get("ETag")).status(304)

	files := unzip(t, a.raw)
	var names []string
	for _, n := range files.order {
		names = append(names, n)
	}
	eq(t, "files", strings.Join(names, " "), "progress.json donors.csv timeline.csv contributions.csv datapackage.json SHA256SUMS")
	// SHA256SUMS verifies every other file.
	lines := strings.Split(strings.TrimSpace(string(files.body["SHA256SUMS"])), "\n")
	eq(t, "sums", len(lines), 5)
	for _, l := range lines {
		parts := strings.SplitN(l, "  ", 2)
		s := sha256.Sum256(files.body[parts[1]])
		eq(t, "sha256 of "+parts[1], parts[0], hex.EncodeToString(s[:]))
	}
	// The contents: progress as of, public columns only, voided left out, anonymous masked.
	var prog map[string]any
	json.Unmarshal(files.body["progress.json"], &prog)
	eq(t, "as_of", prog["as_of"], "2024-12-31")
	want := f.progress("?as_of=2024-12-31")
	eq(t, "paid", prog["paid"], want.str("paid"))
	contribs := string(files.body["contributions.csv"])
	eq(t, "header", strings.SplitN(contribs, "\r\n", 2)[0], "date,donor,amount,currency,amount_usd,earmarking")
	// As of 2024-12-31 the contribution voided today was still live: it is there, as progress?as_of= counts it.
	if !strings.Contains(contribs, "2024-10-02,Kingdom of Morocco,5.00,USD") || strings.Contains(contribs, "Jane") || !strings.Contains(contribs, "Anonymous donor") {
		t.Fatalf("contributions.csv: %s", contribs)
	}
	eq(t, "rows", strings.Count(contribs, "\r\n"), 5)
	var pkg map[string]any
	json.Unmarshal(files.body["datapackage.json"], &pkg)
	res := pkg["resources"].([]any)
	eq(t, "resources", len(res), 4)
	for _, r := range res {
		rm := r.(map[string]any)
		if rm["schema"] == nil || rm["path"] == nil || !strings.HasPrefix(rm["hash"].(string), "sha256:") {
			t.Fatalf("resource without schema or hash: %v", rm)
		}
	}
	// The same as_of in French names donors in French; as_of in the future is refused.
	fr := unzip(t, f.do("GET", path+"&lang=fr", "", nil).status(200).raw)
	if !strings.Contains(string(fr.body["contributions.csv"]), "Royaume du Maroc") || !strings.Contains(string(fr.body["donors.csv"]), "Donateur anonyme") {
		t.Fatalf("fr: %s", fr.body["contributions.csv"])
	}
	f.do("GET", "/api/v1/funds/resilience/snapshot.zip?as_of=2999-01-01", "", nil).fails(422, "validation_failed", "as_of")
	f.do("GET", "/api/v1/funds/nope/snapshot.zip", "", nil).fails(404, "not_found", "")
	// Without as_of: today's.
	today := unzip(t, f.do("GET", "/api/v1/funds/resilience/snapshot.zip", "", nil).status(200).raw)
	json.Unmarshal(today.body["progress.json"], &prog)
	eq(t, "today", prog["as_of"], models.Today())
	// Today the voided contribution is left out.
	if c := string(today.body["contributions.csv"]); strings.Contains(c, "5.00,USD") || strings.Count(c, "\r\n") != 4 {
		t.Fatalf("today's contributions.csv keeps a voided contribution: %s", c)
	}
}

type zipped struct {
	order []string
	body  map[string][]byte
}

func unzip(t *testing.T, b []byte) zipped {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	z := zipped{body: map[string][]byte{}}
	for _, f := range zr.File {
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		z.order = append(z.order, f.Name)
		z.body[f.Name] = body
	}
	return z
}

func TestEmbedAndBadgeHeadersAgainstEveryOtherPage(t *testing.T) {
	f := newFixture(t)
	f.do("PATCH", fmt.Sprintf("/api/v1/funds/%d", f.fund), f.admin, map[string]any{"translations": map[string]any{
		"ar": map[string]any{"name": "صندوق الصمود"}}}).status(200)
	f.pay(f.morocco, nil, "250000.00", "USD", "2024-07-29").status(201)

	// The embed: framable by FUNDTRACKER_EMBED_ORIGINS (default *), cacheable, no cookie, small, self-contained.
	for _, lang := range []string{"en", "fr", "ar"} {
		r := f.do("GET", "/embed/funds/resilience?lang="+lang, "", nil).status(200)
		csp := r.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors *") || strings.Contains(csp, "frame-ancestors 'none'") || r.header.Get("X-Frame-Options") != "" {
			t.Fatalf("embed %s: CSP %q, X-Frame-Options %q", lang, csp, r.header.Get("X-Frame-Options"))
		}
		eq(t, "embed cache", r.header.Get("Cache-Control"), "public, max-age=300")
		if r.header.Get("ETag") == "" || len(r.header.Values("Set-Cookie")) > 0 {
			t.Fatalf("embed %s: ETag %q, cookies %v", lang, r.header.Get("ETag"), r.header.Values("Set-Cookie"))
		}
		if len(r.raw) >= 20*1024 {
			t.Fatalf("embed %s weighs %d bytes", lang, len(r.raw))
		}
		body := string(r.raw)
		if strings.Count(body, "<link") != strings.Count(body, `<link rel="icon" href="data:,">`) {
			t.Fatalf("embed %s links another resource: %s", lang, body)
		}
		for _, external := range []string{"<script", "src=", "@import", "url("} {
			if strings.Contains(body, external) {
				t.Fatalf("embed %s makes another request (%s): %s", lang, external, body)
			}
		}
		if !strings.Contains(body, "25") || !strings.Contains(body, "/funds/resilience?lang="+lang) {
			t.Fatalf("embed %s lacks the percent or the dashboard link: %s", lang, body)
		}
		f.do("GET", "/embed/funds/resilience?lang="+lang, "", nil, "If-None-Match", r.header.Get("ETag")).status(304)
	}
	if !strings.Contains(string(f.do("GET", "/embed/funds/resilience?lang=ar", "", nil).raw), `dir="rtl"`) {
		t.Fatal("the Arabic embed is not right to left")
	}
	f.do("GET", "/embed/funds/nope", "", nil).fails(404, "not_found", "")

	// The badge: an SVG, cached alike, right to left in Arabic.
	b := f.do("GET", "/badge/funds/resilience.svg", "", nil).status(200)
	eq(t, "badge type", b.header.Get("Content-Type"), "image/svg+xml")
	eq(t, "badge cache", b.header.Get("Cache-Control"), "public, max-age=300")
	if b.header.Get("ETag") == "" || !strings.Contains(string(b.raw), "25.00% paid") || !strings.HasPrefix(string(b.raw), "<svg") {
		t.Fatalf("badge: %s", b.raw)
	}
	ar := string(f.do("GET", "/badge/funds/resilience.svg?lang=ar", "", nil).status(200).raw)
	if !strings.Contains(ar, `direction="rtl"`) || !strings.Contains(ar, "صندوق الصمود") || !strings.Contains(ar, "دُفع") {
		t.Fatalf("Arabic badge: %s", ar)
	}
	f.do("GET", "/badge/funds/resilience.png", "", nil).fails(404, "not_found", "")
	f.do("GET", "/badge/funds/nope.svg", "", nil).fails(404, "not_found", "")

	// Every other page and answer keeps frame-ancestors 'none'.
	for _, path := range []string{"/", "/funds/resilience", "/funds/resilience?lang=ar", "/staff", "/api/v1/funds",
		"/api/v1/funds/resilience/progress", "/api/v1/funds/resilience/snapshot.zip", "/donor/unknown", "/api/openapi.json",
		"/static/nope", "/embed/nope"} {
		r := f.do("GET", path, "", nil)
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || r.header.Get("X-Frame-Options") != "DENY" {
			t.Fatalf("%s: CSP %q, X-Frame-Options %q", path, csp, r.header.Get("X-Frame-Options"))
		}
	}
	// FUNDTRACKER_EMBED_ORIGINS names who may frame it; a value that would add a directive is dropped.
	srv := httptest.NewServer(api.New(api.Config{EmbedOrigins: "https://www.iom.int https://*.example.org; script-src *"}, f.store))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/embed/funds/resilience")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	_, fa, _ := strings.Cut(csp, "frame-ancestors ")
	if !strings.HasPrefix(fa, "https://www.iom.int ") || strings.Contains(fa, ";") || strings.Contains(fa, "example.org") {
		t.Fatalf("CSP with origins: %q", csp)
	}
	// The CSP keywords are sources too; a value with no valid source never widens to *.
	for origins, want := range map[string]string{"'self' https://www.iom.int": "'self' https://www.iom.int",
		"'none'": "'none'", "https://x.org;script-src": "'none'", "": "*"} {
		srv := httptest.NewServer(api.New(api.Config{EmbedOrigins: origins}, f.store))
		res, err := http.Get(srv.URL + "/embed/funds/resilience")
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		_, fa, _ := strings.Cut(res.Header.Get("Content-Security-Policy"), "frame-ancestors ")
		fa, _, _ = strings.Cut(fa, ";")
		eq(t, "frame-ancestors from "+origins, fa, want)
	}
}
