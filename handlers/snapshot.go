package handlers

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// Issue 15: GET /funds/{id-or-code}/snapshot.zip?as_of= — a citable,
// checksummed copy of a fund's public figures as of a day. The same as_of
// (and language) gives the same bytes: files in a fixed order, each dated at
// the start of as_of (UTC), content sorted, no clock read.

// Snapshot answers the zip, its ETag the zip's SHA-256.
func (h *Handler) Snapshot(c *gin.Context) {
	q := newQuery(c)
	asOf := q.date("as_of")
	today := models.Today()
	if asOf > today {
		q.p.Add("as_of", "must not be in the future (today is "+string(today)+" UTC)")
	}
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	if asOf == "" {
		asOf = today
	}
	lang := Lang(c)
	snap, err := h.public.FundSnapshot(c.Request.Context(), c.Param("fund"), asOf)
	if err != nil {
		Error(c, err)
		return
	}
	body, err := SnapshotZip(snap, asOf, lang)
	if err != nil {
		Error(c, err)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	c.Header("ETag", etag)
	c.Header("Cache-Control", "public, no-cache")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.zip"`, snap.Fund.Code, asOf))
	if match := c.GetHeader("If-None-Match"); match != "" && (match == etag || match == "W/"+etag || match == "*") {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/zip", body)
}

type snapshotFile struct {
	name, title, format, mediatype string
	body                           []byte
	schema                         any
}

// SnapshotZip builds the zip of a snapshot.
func SnapshotZip(snap models.Snapshot, asOf models.Date, lang string) ([]byte, error) {
	fund := snap.Fund.Localized(lang)
	p := snap.Progress
	p.FirstContribution = p.FirstContribution.In(lang)
	progress, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	files := []snapshotFile{
		{"progress.json", "Progress", "json", "application/json", append(progress, '\n'), progressSchema},
		{"donors.csv", "Donors", "csv", "text/csv", donorsCSV(snap.Donors, lang), tableSchema(donorFields)},
		{"timeline.csv", "Timeline", "csv", "text/csv", timelineCSV(snap.Timeline), tableSchema(timelineFields)},
		{"contributions.csv", "Contributions", "csv", "text/csv", contributionsCSV(snap.Contributions, lang), tableSchema(contributionFields)},
	}
	pkg, err := json.MarshalIndent(dataPackage(fund, asOf, lang, files), "", "  ")
	if err != nil {
		return nil, err
	}
	files = append(files, snapshotFile{name: "datapackage.json", body: append(pkg, '\n')})
	var sums bytes.Buffer
	for _, f := range files {
		s := sha256.Sum256(f.body)
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(s[:]), f.name)
	}
	files = append(files, snapshotFile{name: "SHA256SUMS", body: sums.Bytes()})

	stamp, _ := time.Parse(models.DateLayout, string(asOf))
	if min := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC); stamp.Before(min) {
		stamp = min // the zip format's first day
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.body); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func csvBytes(header []string, rows [][]string) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	w.Write(header)
	w.WriteAll(rows)
	return buf.Bytes()
}

type field struct{ Name, Type, Description string }

var donorFields = []field{
	{"name", "string", "The donor as named in public (anonymous donors are not named)"},
	{"kind", "string", "Kind of donor (government, multilateral, private_sector, foundation, ngo, individual, other)"},
	{"country_code", "string", "ISO 3166-1 alpha-2 (empty for anonymous donors)"},
	{"paid", "number", "Paid, in USD"},
	{"outstanding", "number", "Pledged and not yet paid, in USD"},
	{"pledged", "number", "Paid plus outstanding, in USD"},
	{"share_of_paid_percent", "number", "Share of the fund's paid total, in percent"},
}

func donorsCSV(donors []models.DonorShare, lang string) []byte {
	rows := make([][]string, len(donors))
	for i, d := range donors {
		d = d.In(lang)
		kind := "" // an anonymous donor's kind is masked
		if d.Kind != nil {
			kind = *d.Kind
		}
		rows[i] = []string{Cell(d.Name), kind, d.CountryCode, d.Paid.String(), d.Outstanding.String(), d.Pledged.String(), d.SharePaidPercent}
	}
	return csvBytes(fieldNames(donorFields), rows)
}

var timelineFields = []field{
	{"period", "yearmonth", "Month (YYYY-MM)"},
	{"paid", "number", "Paid in the month, in USD"},
	{"cumulative_paid", "number", "Paid up to the end of the month, in USD"},
	{"pledged", "number", "Change in pledged (paid plus outstanding) in the month, in USD"},
	{"cumulative_pledged", "number", "Pledged up to the end of the month, in USD"},
}

func timelineCSV(points []models.TimelinePoint) []byte {
	rows := make([][]string, len(points))
	for i, p := range points {
		rows[i] = []string{p.Period, p.Paid.String(), p.CumulativePaid.String(), p.Pledged.String(), p.CumulativePledged.String()}
	}
	return csvBytes(fieldNames(timelineFields), rows)
}

var contributionFields = []field{
	{"date", "date", "Day the money was received (YYYY-MM-DD)"},
	{"donor", "string", "The donor as named in public (anonymous donors are not named)"},
	{"amount", "number", "Amount in the currency received"},
	{"currency", "string", "ISO 4217 code"},
	{"amount_usd", "number", "Value in USD at the rate recorded"},
	{"earmarking", "string", "unearmarked, softly_earmarked or earmarked"},
}

func contributionsCSV(cs []models.SnapshotContribution, lang string) []byte {
	rows := make([][]string, len(cs))
	for i, c := range cs {
		rows[i] = []string{string(c.ReceivedOn), Cell(models.PublicNameIn(c.DonorName, c.DisplayNames, c.Anonymous, lang)),
			c.Amount.String(), c.Currency, c.AmountUSD.String(), c.Earmarking}
	}
	return csvBytes(fieldNames(contributionFields), rows)
}

func fieldNames(fs []field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

func tableSchema(fs []field) map[string]any {
	fields := make([]map[string]any, len(fs))
	for i, f := range fs {
		fields[i] = map[string]any{"name": f.Name, "type": f.Type, "description": f.Description}
		if f.Type == "number" {
			fields[i]["bareNumber"] = true
		}
		if f.Name == "currency" {
			fields[i]["constraints"] = map[string]any{"pattern": "[A-Z]{3}"}
		}
	}
	return map[string]any{"fields": fields, "missingValues": []string{""}}
}

// progressSchema is a JSON Schema of progress.json.
var progressSchema = map[string]any{
	"$schema": "http://json-schema.org/draft-07/schema#",
	"type":    "object",
	"required": []string{"fund_id", "fund_code", "currency", "target", "paid", "outstanding_pledges", "pledged",
		"percent_paid", "percent_pledged", "paid_unearmarked", "donor_count", "contribution_count", "first_contribution", "as_of"},
	"properties": map[string]any{
		"fund_id":             map[string]any{"type": "integer"},
		"fund_code":           map[string]any{"type": "string"},
		"currency":            map[string]any{"type": "string", "const": "USD"},
		"target":              money,
		"paid":                money,
		"outstanding_pledges": money,
		"pledged":             money,
		"percent_paid":        map[string]any{"type": "string", "pattern": `^\d+(\.\d+)?$`},
		"percent_pledged":     map[string]any{"type": "string", "pattern": `^\d+(\.\d+)?$`},
		"paid_unearmarked":    money,
		"donor_count":         map[string]any{"type": "integer"},
		"contribution_count":  map[string]any{"type": "integer"},
		"first_contribution": map[string]any{"type": []string{"object", "null"}, "properties": map[string]any{
			"donor": map[string]any{"type": "string"}, "received_on": map[string]any{"type": "string", "format": "date"}}},
		"as_of": map[string]any{"type": "string", "format": "date"},
	},
}

var money = map[string]any{"type": "string", "pattern": `^-?\d+\.\d{2}$`, "description": "USD, a decimal string"}

// dataPackage is the Frictionless Data Package descriptor of the files.
func dataPackage(fund models.Fund, asOf models.Date, lang string, files []snapshotFile) map[string]any {
	resources := make([]map[string]any, len(files))
	for i, f := range files {
		sum := sha256.Sum256(f.body)
		r := map[string]any{"name": f.name[:len(f.name)-len("."+f.format)], "path": f.name, "title": f.title,
			"format": f.format, "mediatype": f.mediatype, "encoding": "utf-8", "bytes": len(f.body),
			"hash": "sha256:" + hex.EncodeToString(sum[:]), "schema": f.schema}
		if f.format == "csv" {
			r["profile"] = "tabular-data-resource"
			r["dialect"] = map[string]any{"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "header": true}
		} else {
			r["profile"] = "data-resource"
		}
		resources[i] = r
	}
	return map[string]any{
		"profile":      "data-package",
		"name":         fund.Code + "-" + string(asOf),
		"id":           fund.Code + "/" + string(asOf),
		"title":        fund.Name,
		"description":  fmt.Sprintf("Public figures of %s as they stood at the end of %s (UTC), in USD. Voided contributions are left out; anonymous donors are not named.", fund.Name, asOf),
		"version":      string(asOf),
		"language":     lang,
		"as_of":        string(asOf),
		"contributors": []map[string]any{{"title": fund.Organization, "role": "publisher"}},
		"sources":      []map[string]any{{"title": "fundtracker", "path": "/api/v1/funds/" + fund.Code + "/snapshot.zip?as_of=" + string(asOf)}},
		"resources":    resources,
	}
}
