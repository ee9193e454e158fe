package handlers

import (
	"bufio"
	"context"
	"encoding/xml"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// PublishStore reads what IATI, FTS and the printed report publish.
type PublishStore interface {
	Fund(ctx context.Context, idOrCode string) (models.Fund, error)
	FundDonors(ctx context.Context, fundID int64, asOf models.Date) ([]models.Donor, error)
	EachLiveRecord(ctx context.Context, f models.RecordFilter, fn func(models.LedgerRecord) error) error
	Progress(ctx context.Context, idOrCode string, asOf models.Date) (models.Progress, error)
}

// IATI 2.03 codes (https://iatistandard.org/en/iati-standard/203/codelists/).
const (
	iatiIncomingFunds      = "1"  // TransactionType: a contribution received
	iatiIncomingCommitment = "11" // TransactionType: a pledge at stage commitment
	iatiIncomingPledge     = "13" // TransactionType: a pledge at stage pledge
	iatiRoleFunding        = "1"  // OrganisationRole
	iatiRoleImplementing   = "4"
	iatiEarmarkingVocab    = "2" // AidTypeVocabulary 2: Earmarking Category
)

// iatiEarmarking maps earmarking to the Earmarking Category codelist.
var iatiEarmarking = map[string]string{"unearmarked": "1", "softly_earmarked": "2", "earmarked": "3"}

// iatiOrgType maps a donor's kind to the OrganisationType codelist.
var iatiOrgType = map[string]string{"government": "10", "multilateral": "40", "private_sector": "70", "foundation": "60",
	"ngo": "21", "individual": "", "other": "90"}

// IATIActivity answers GET /funds/{id-or-code}/iati-activity.xml?as_of=: the
// fund as one IATI 2.03 activity, with one transaction per live record
// (pledges as incoming pledges or commitments, contributions as incoming funds).
func (h *Handler) IATIActivity(c *gin.Context) {
	q := newQuery(c)
	asOf := q.date("as_of")
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	ctx := c.Request.Context()
	fund, err := h.reporting.Fund(ctx, c.Param("fund"))
	if err != nil {
		Error(c, err)
		return
	}
	p := models.Problems{}
	if fund.IATIIdentifier == nil {
		p.Add("iati_identifier", "is not set on this fund: set it (PATCH /funds/{id}) to publish the fund to IATI")
	}
	if fund.IATIReportingOrg == nil {
		p.Add("iati_reporting_org", "is not set on this fund: IATI needs the reporting organisation's ref, type and name")
	}
	if err := p.Err(); err != nil {
		Error(c, err)
		return
	}
	donors, err := h.reporting.FundDonors(ctx, fund.ID, asOf)
	if err != nil {
		Error(c, err)
		return
	}
	c.Header("Content-Type", "application/xml; charset=utf-8")
	c.Header("Content-Disposition", `inline; filename="`+fund.Code+`-iati-activity.xml"`)
	c.Header("Cache-Control", "public, no-cache")
	c.Status(http.StatusOK)
	bw := bufio.NewWriterSize(c.Writer, 64<<10)
	bw.WriteString(xml.Header)
	w := &iatiWriter{enc: xml.NewEncoder(bw)}
	w.enc.Indent("", " ")
	w.activity(fund, donors, asOf, models.Today(), time.Now().UTC(), func(tx func(models.LedgerRecord)) error {
		return h.reporting.EachLiveRecord(ctx, models.RecordFilter{FundID: fund.ID, AsOf: asOf}, func(r models.LedgerRecord) error {
			tx(r)
			return w.err
		})
	})
	if w.err == nil {
		w.err = bw.Flush()
	}
	if w.err != nil {
		slog.ErrorContext(ctx, "iati export failed", "fund", fund.Code, "error", w.err, "request_id", c.GetString(RequestIDKey))
		c.Abort()
	}
}

// iatiWriter writes IATI XML elements in the schema's order, remembering the
// first error.
type iatiWriter struct {
	enc *xml.Encoder
	err error
}

type attr = [2]string

func (w *iatiWriter) token(t xml.Token) {
	if w.err == nil {
		w.err = w.enc.EncodeToken(t)
	}
}

func (w *iatiWriter) open(name string, attrs ...attr) {
	el := xml.StartElement{Name: xml.Name{Local: name}}
	for _, a := range attrs {
		if a[1] != "" {
			el.Attr = append(el.Attr, xml.Attr{Name: xml.Name{Local: a[0]}, Value: a[1]})
		}
	}
	w.token(el)
}

func (w *iatiWriter) close(name string) { w.token(xml.EndElement{Name: xml.Name{Local: name}}) }

func (w *iatiWriter) empty(name string, attrs ...attr) {
	w.open(name, attrs...)
	w.close(name)
}

func (w *iatiWriter) text(name, text string, attrs ...attr) {
	w.open(name, attrs...)
	w.token(xml.CharData(text))
	w.close(name)
}

// narrated writes an element holding one narrative (IATI's text in a language).
func (w *iatiWriter) narrated(name, text string, attrs ...attr) {
	w.open(name, attrs...)
	if text != "" {
		w.text("narrative", text)
	}
	w.close(name)
}

// narratives writes an element holding one narrative per language: each
// text is {lang, text}, lang "" for the activity's default language.
func (w *iatiWriter) narratives(name string, texts []attr, attrs ...attr) {
	w.open(name, attrs...)
	for _, t := range texts {
		if t[1] == "" {
			continue
		}
		el := xml.StartElement{Name: xml.Name{Local: "narrative"}}
		if t[0] != "" {
			el.Attr = []xml.Attr{{Name: xml.Name{Space: "http://www.w3.org/XML/1998/namespace", Local: "lang"}, Value: t[0]}}
		}
		w.token(el)
		w.token(xml.CharData(t[1]))
		w.close("narrative")
	}
	w.close(name)
}

// activity writes the document: iati-activities, then the fund's
// iati-activity with its elements in the order of the 2.03 schema's sequence.
func (w *iatiWriter) activity(f models.Fund, donors []models.Donor, asOf, today models.Date, now time.Time, each func(tx func(models.LedgerRecord)) error) {
	nowText := now.Format(time.RFC3339)
	w.open("iati-activities", attr{"version", "2.03"}, attr{"generated-datetime", nowText})
	lang := "en"
	w.token(xml.StartElement{Name: xml.Name{Local: "iati-activity"}, Attr: []xml.Attr{
		{Name: xml.Name{Local: "last-updated-datetime"}, Value: f.UpdatedAt.UTC().Format(time.RFC3339)},
		{Name: xml.Name{Space: "http://www.w3.org/XML/1998/namespace", Local: "lang"}, Value: lang},
		{Name: xml.Name{Local: "default-currency"}, Value: models.ReportingCurrency}}})
	org := *f.IATIReportingOrg
	orgName := org.Name
	if orgName == "" {
		orgName = f.Organization
	}
	if orgName == "" {
		orgName = org.Ref
	}
	w.text("iati-identifier", *f.IATIIdentifier)
	w.narrated("reporting-org", orgName, attr{"ref", org.Ref}, attr{"type", org.Type})
	// a narrative per language the fund has: the base text (the activity's
	// xml:lang), then each translation that gives one
	langs := make([]string, 0, len(f.Translations))
	for l := range f.Translations {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	titles, descriptions := []attr{{"", f.Name}}, []attr{{"", f.Description}}
	if f.Description == "" {
		descriptions[0][1] = f.Name
	}
	for _, l := range langs {
		t := f.Translations[l]
		if t.Name != "" {
			titles = append(titles, attr{l, t.Name})
		}
		if t.Description != "" {
			descriptions = append(descriptions, attr{l, t.Description})
		}
	}
	w.narratives("title", titles)
	w.narratives("description", descriptions, attr{"type", "1"})
	w.narrated("participating-org", orgName, attr{"ref", org.Ref}, attr{"type", org.Type}, attr{"role", iatiRoleImplementing})
	anonymous := false
	for _, d := range donors {
		if d.Anonymous {
			if !anonymous { // one line for every anonymous donor: nothing tells them apart
				w.narrated("participating-org", models.AnonymousName, attr{"role", iatiRoleFunding})
			}
			anonymous = true
			continue
		}
		w.narrated("participating-org", d.Name, attr{"ref", deref(d.IATIOrgRef)}, attr{"type", iatiOrgType[d.Kind]},
			attr{"role", iatiRoleFunding})
	}
	on := asOf
	if on == "" {
		on = today
	}
	w.empty("activity-status", attr{"code", activityStatus(f, on)})
	start := f.OpensOn
	if start == "" {
		start = models.DateOf(f.CreatedAt)
	}
	w.empty("activity-date", attr{"type", "1"}, attr{"iso-date", string(start)}) // planned start
	if f.ClosesOn != "" {
		w.empty("activity-date", attr{"type", "3"}, attr{"iso-date", string(f.ClosesOn)}) // planned end
	}
	if w.err == nil {
		w.err = each(func(r models.LedgerRecord) { w.transaction(f, org, orgName, r) })
	}
	w.close("iati-activity")
	w.close("iati-activities")
	if w.err == nil {
		w.err = w.enc.Flush()
	}
}

// activityStatus is the ActivityStatus code on a day: 1 pipeline before the
// fund opens, 4 closed after it closes, 2 implementation in between.
func activityStatus(f models.Fund, on models.Date) string {
	switch {
	case f.OpensOn != "" && on < f.OpensOn:
		return "1"
	case f.ClosesOn != "" && on > f.ClosesOn:
		return "4"
	}
	return "2"
}

// iatiValue is the value a record reports: a contribution's amount; a
// pledge's amount less what was written off by the day the file is as of
// (issue 11): a write-off is agreed never to be paid, so it is no longer
// pledged or committed, as progress's pledged no longer counts it. The
// transaction keeps the pledge's date: IATI has no transaction type for a
// reduced pledge, and a negative incoming pledge is refused by validators.
func iatiValue(r models.LedgerRecord) models.Money { return r.CommittedValue() }

func (w *iatiWriter) transaction(f models.Fund, org models.IATIOrg, orgName string, r models.LedgerRecord) {
	value := iatiValue(r)
	if !value.Amount.IsPositive() {
		return // a pledge wholly written off, nothing paid on it: nothing was pledged after all
	}
	code := iatiIncomingFunds
	if r.Kind == models.RecordPledge {
		code = iatiIncomingPledge
		if r.Stage == "commitment" {
			code = iatiIncomingCommitment
		}
	}
	w.open("transaction", attr{"ref", r.Kind + "-" + strconv.FormatInt(r.ID, 10)})
	w.empty("transaction-type", attr{"code", code})
	w.empty("transaction-date", attr{"iso-date", string(r.Date)})
	w.text("value", value.String(), attr{"currency", r.Currency}, attr{"value-date", string(r.Date)})
	if r.Donor.Anonymous {
		w.narrated("provider-org", models.AnonymousName)
	} else {
		w.narrated("provider-org", r.Donor.Name, attr{"ref", r.DonorIATIRef}, attr{"type", iatiOrgType[r.Donor.Kind]})
	}
	w.narrated("receiver-org", orgName, attr{"ref", org.Ref}, attr{"type", org.Type})
	if e := iatiEarmarking[r.Earmarking]; e != "" {
		w.empty("aid-type", attr{"code", e}, attr{"vocabulary", iatiEarmarkingVocab})
	}
	w.close("transaction")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
