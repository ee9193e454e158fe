package handlers

import (
	"strconv"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"
)

// OCHA Financial Tracking Service (https://fts.unocha.org) flows, in the
// column names of FTS's flow data, with an optional HXL hashtag row
// (https://hxlstandard.org) so that the file loads in HXL tools and on HDX.

var ftsColumns = []string{"id", "status", "date", "decisionDate", "budgetYear", "amountUSD", "originalAmount",
	"originalCurrency", "exchangeRate", "srcOrganization", "srcOrganizationTypes", "srcLocations", "destOrganization",
	"refCode", "earmarking", "description"}

// ftsHXL are the HXL hashtags of ftsColumns, in the same order.
var ftsHXL = []string{"#activity+id", "#status", "#date", "#date+decision", "#date+year+budget", "#value+funding+usd",
	"#value+funding+original", "#currency", "#indicator+exchange_rate", "#org+name+funder", "#org+type+funder",
	"#country+code+funder", "#org+name+impl", "#meta+ref", "#meta+earmarking", "#description"}

// ftsOrgType names a donor's kind as FTS's organisation types do.
var ftsOrgType = map[string]string{"government": "Governments", "multilateral": "Multilateral Organizations",
	"private_sector": "Private organizations", "foundation": "Private organizations", "ngo": "NGOs",
	"individual": "Private organizations", "other": "Other"}

var ftsEarmarking = map[string]string{"unearmarked": "Unearmarked", "softly_earmarked": "Softly earmarked", "earmarked": "Earmarked"}

// ExportFTS answers GET /exports/fts.csv?fund_id=&from=&to=&hxl=: one row per
// live contribution (status paid, its whole amount) and one per live pledge
// with something outstanding (status pledge or commitment, its outstanding
// part only: neither paid nor written off), so that nothing is counted twice:
// amountUSD sums to paid plus outstanding. Fully paid, wholly written-off and
// cancelled pledges have no row.
func (h *Handler) ExportFTS(c *gin.Context) {
	q := newQuery(c)
	f := models.RecordFilter{FundID: q.id("fund_id")}
	f.From, f.To = q.dateRange()
	hxl := q.oneOf("hxl", "0", []string{"0", "1"})
	bom := q.bom()
	release, ok := h.startExport(c, q)
	if !ok {
		return
	}
	defer release()
	h.streamCSV(c, "fts.csv", bom, ftsColumns, func(write func([]string) error) error {
		if hxl == "1" {
			if err := write(ftsHXL); err != nil {
				return err
			}
		}
		return h.reporting.EachLiveRecord(c.Request.Context(), f, func(r models.LedgerRecord) error {
			row, ok := ftsRow(r)
			if !ok {
				return nil
			}
			return write(row)
		})
	})
}

// ftsRow is the FTS flow of a record; ok is false when a pledge has nothing outstanding.
func ftsRow(r models.LedgerRecord) (row []string, ok bool) {
	status, amount, usd := "paid", r.Amount, r.AmountUSD()
	what := "Contribution"
	if r.Kind == models.RecordPledge {
		// Outstanding is neither paid nor written off (issue 11): a written-off
		// part is in no row, as it is in neither paid nor outstanding_pledges.
		if !r.Outstanding.Amount.IsPositive() {
			return nil, false
		}
		status, amount, usd, what = r.Stage, r.Outstanding, r.OutstandingUSD, "Outstanding part of a "+r.Stage
	}
	country := ""
	if !r.Donor.Anonymous && r.Donor.CountryCode != "" {
		if reg, err := language.ParseRegion(r.Donor.CountryCode); err == nil {
			country = reg.ISO3()
		}
	}
	kind := ftsOrgType[r.Donor.Kind]
	if r.Donor.Anonymous {
		kind = ""
	}
	dest := r.FundOrganization
	if dest == "" {
		dest = r.FundName
	}
	return []string{r.Kind + "-" + strconv.FormatInt(r.ID, 10), status, string(r.Date), string(r.DecisionDate), string(r.Date)[:4],
		usd.String(), amount.String(), r.Currency, r.ExchangeRate.String(), Cell(r.PublicDonorName()), kind, country, Cell(dest),
		Cell(r.Reference), ftsEarmarking[r.Earmarking], Cell(what + " to " + r.FundName)}, true
}
