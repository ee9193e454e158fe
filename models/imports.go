package models

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Issue 12: imports of donors, pledges, contributions and rates from a
// spreadsheet. Rows go through the same validation and decisions as the
// API's create requests (DecidePledge, DecideContribution, DonorInput.Apply,
// ExchangeRateInput.Validate), in file order, with the aggregate changes of
// the whole file summed (Effects.Add) and applied once per row of each table.

// Kinds of import, and modes.
const (
	ImportDonors        = "donors"
	ImportPledges       = "pledges"
	ImportContributions = "contributions"
	ImportRates         = "rates"
	ImportDryRun        = "dry_run"
	ImportCommit        = "commit"
)

var (
	ImportKinds = []string{ImportDonors, ImportPledges, ImportContributions, ImportRates}
	ImportModes = []string{ImportDryRun, ImportCommit}
)

// Import is a past import, as GET /imports lists it.
type Import struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	Filename   string    `json:"filename"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	Rows       int       `json:"rows"`
	Created    int       `json:"created"`
	Duplicates int       `json:"duplicates"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// ImportRowError is one problem of one row: row is the row number a
// spreadsheet shows (the header is row 1), column the file's header of the
// column at fault (null when no column of the file gives the field).
type ImportRowError struct {
	Row     int     `json:"row"`
	Column  *string `json:"column"`
	Field   string  `json:"field"`
	Problem string  `json:"problem"`
}

// ImportCurrencyAmount is a sum in one currency, as an import totals it.
type ImportCurrencyAmount struct {
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
}

// ImportTotals sums the amounts of the file's valid rows (duplicates
// included: what the statement shows), per currency and in USD.
type ImportTotals struct {
	ByCurrency []ImportCurrencyAmount `json:"by_currency"`
	AmountUSD  Money                  `json:"amount_usd"`
}

// ImportDryRunResult is the answer of a dry run.
type ImportDryRunResult struct {
	Kind        string           `json:"kind"`
	Rows        int              `json:"rows"`
	Valid       int              `json:"valid"`
	Invalid     int              `json:"invalid"`
	Duplicates  int              `json:"duplicates"`
	Errors      []ImportRowError `json:"errors"`
	Totals      ImportTotals     `json:"totals"`
	WouldCreate int              `json:"would_create"`
}

// ImportCommitResult is the answer of a commit.
type ImportCommitResult struct {
	ID         int64        `json:"id"`
	Kind       string       `json:"kind"`
	Created    int          `json:"created"`
	Duplicates int          `json:"duplicates"`
	Totals     ImportTotals `json:"totals"`
	SHA256     string       `json:"sha256"`
}

// ImportRequest is an import as the handler read it.
type ImportRequest struct {
	Kind, Mode, Filename, SHA256 string
	Size                         int64
	Table                        ImportTable
	// Idem makes a retried commit answer the first answer (Idempotency-Key).
	Idem Idempotency
	// CanWrite says whether the user may write records of a fund (fund-scoped roles).
	CanWrite func(fundID int64) bool
}

// ImportTable is a file read as text: the header's fields (one per column,
// "" for a column that is not imported) and its rows.
type ImportTable struct {
	Headers []string // as written in the file
	Fields  []string // the field each column gives, "" when none
	Rows    []ImportRow
	// Stream, when set, reads the rows in file order instead of Rows: a file
	// read as a stream rather than held in memory. It may be called more
	// than once (a write transaction run again reads the file again).
	Stream func(each func(ImportRow) error) error
}

// EachRow calls each for every row of the table, in file order.
func (t ImportTable) EachRow(each func(ImportRow) error) error {
	if t.Stream != nil {
		return t.Stream(each)
	}
	for _, r := range t.Rows {
		if err := each(r); err != nil {
			return err
		}
	}
	return nil
}

// ImportRow is a row of the file: its row number and its cells (trimmed).
type ImportRow struct {
	Line  int
	Cells []string
}

// NormalizeHeader folds a header for matching: no accents, lower case, words
// joined by "_" ("Montant (EUR)" -> "montant_eur").
func NormalizeHeader(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, _ := transform.String(t, s)
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(strings.TrimSpace(out)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(r)
		} else {
			sep = true
		}
	}
	return b.String()
}

// normalizeName folds a donor's name for matching: no accents, lower case,
// single spaces.
func normalizeName(s string) string { return strings.ReplaceAll(NormalizeHeader(s), "_", " ") }

// importFields are the fields of each kind: those of the API create request,
// and the references (fund_code, donor_name...).
var importFields = map[string][]string{
	ImportDonors: {"name", "kind", "country_code", "anonymous", "contact_email", "iati_org_ref", "language"},
	ImportPledges: {"fund_id", "fund_code", "donor_id", "donor_name", "donor_country", "amount", "currency", "pledged_on",
		"due_on", "stage", "earmarking", "exchange_rate", "reference", "notes"},
	ImportContributions: {"fund_id", "fund_code", "donor_id", "donor_name", "donor_country", "pledge_id", "pledge_reference",
		"amount", "currency", "received_on", "exchange_rate", "earmarking", "reference", "notes", "voided"},
	ImportRates: {"currency", "effective_on", "units_per_usd", "source"},
}

// importAliases are other headers of a field: our exports' column names and
// the donor breakdown's.
var importAliases = map[string]map[string]string{
	ImportDonors: {"donor_name": "name", "donor": "name", "donor_country": "country_code", "country": "country_code",
		"donor_kind": "kind", "email": "contact_email"},
	ImportPledges:       {"fund": "fund_code", "donor": "donor_name", "status": "status"},
	ImportContributions: {"fund": "fund_code", "donor": "donor_name"},
	ImportRates:         {"rate": "units_per_usd", "date": "effective_on"},
}

// ImportFields lists the fields (columns) an import of a kind reads.
func ImportFields(kind string) []string { return importFields[kind] }

// MapColumns gives each header of a file the field it carries: mapping
// (header -> field) first, else the header itself (folded), one of its
// aliases, or its template header in one of the pages' languages. Columns
// giving no field are not read (an export's id, amount_usd...).
func MapColumns(kind string, headers []string, mapping map[string]string) ([]string, error) {
	p := Problems{}
	allowed := map[string]bool{}
	for _, f := range importFields[kind] {
		allowed[f] = true
	}
	if kind == ImportPledges {
		allowed["status"] = true      // an export's status: a cancelled pledge is refused, not imported live
		allowed["written_off"] = true // likewise a pledge partly written off (issue 11)
	}
	byFolded := map[string]string{}
	for h, f := range mapping {
		if !allowed[f] {
			p.Add("mapping", "maps "+strconv.Quote(h)+" to "+strconv.Quote(f)+", which is not a field of a "+kind+" import ("+strings.Join(importFields[kind], ", ")+")")
		}
		byFolded[NormalizeHeader(h)] = f
	}
	fields := make([]string, len(headers))
	seen := map[string]string{}
	found := map[string]bool{}
	for i, h := range headers {
		folded := NormalizeHeader(h)
		f, ok := byFolded[folded]
		if ok {
			found[folded] = true
		} else if allowed[folded] {
			f = folded
		} else if a, ok := importAliases[kind][folded]; ok {
			f = a
		} else if a, ok := importLabelIndex[kind][folded]; ok {
			f = a // a template's header in French or Arabic (import_headers.go)
		}
		if f == "" {
			continue
		}
		if other, dup := seen[f]; dup {
			p.Add("file", "the columns "+strconv.Quote(other)+" and "+strconv.Quote(h)+" both give "+f)
			continue
		}
		seen[f] = h
		fields[i] = f
	}
	for h := range mapping {
		if !found[NormalizeHeader(h)] {
			p.Add("mapping", "names the column "+strconv.Quote(h)+", which the file's header does not have")
		}
	}
	return fields, p.Err()
}

// ImportDonor is a donor as an import matches it.
type ImportDonor struct {
	ID                int64
	Name, CountryCode string
	folded            string // normalizeName(Name), set once per import
}

// ImportLoader is what an import's decision reads, loaded by the store in the
// transaction that applies it (each answer cached by the loader or here).
type ImportLoader interface {
	Funds() (map[int64]string, error)                             // id -> code
	Donors() ([]ImportDonor, error)                               // every donor
	Pledge(id int64) (*PledgeState, error)                        // nil when none
	PledgesByReference(ref string, fundID int64) ([]int64, error) // fundID 0: any fund
	Record(k RecordKeys) (RecordLoad, error)                      // parties, rate in force and totals
	CommitmentBlocked(fundID int64) (string, error)
	// Seen answers which fingerprints (by fund) were imported before.
	Seen(fps []ImportFingerprint) (map[ImportFingerprint]bool, error)
	Rate(currency string, on Date) (*ExchangeRate, error) // the rate effective on exactly that day
}

// ImportFingerprint identifies a row's content in a fund (0 for donors and rates).
type ImportFingerprint struct {
	FundID      int64
	Fingerprint string
}

// ImportRecord is a record an import creates.
type ImportRecord struct {
	Line         int
	Fingerprint  ImportFingerprint
	Contribution *Contribution
	Pledge       *Pledge
	Donor        *Donor
	Rate         *ExchangeRate
}

// ImportDecision is a decided import: the answer's figures, every problem,
// and what a commit writes besides its records (which go to the sink).
type ImportDecision struct {
	Result  ImportDryRunResult
	Pledges map[int64]*PledgeState // existing pledges as the file leaves them
	Effects Effects

	// The maps a row is decided with, reused row after row.
	scratchEffects Effects
	scratchTotals  CurrentTotals
}

// ImportSink receives the records an import creates, a chunk at a time in
// file order, as long as no row of the file was invalid: once one is, no
// more records are passed (a commit with an invalid row writes nothing, so
// the store rolls back what it wrote of the earlier chunks).
type ImportSink func(records []ImportRecord) error

// ImportChunk is how many rows are decided together (their fingerprints
// looked up at once) and passed to the sink together.
const ImportChunk = 500

// importRow is a row being decided.
type importRow struct {
	line   int
	values map[string]string // field -> cell
	fp     ImportFingerprint
	p      Problems
	// from is the column (its field) that decided a reference field of this
	// row (donor_id: donor_name or donor_id; pledge_id: pledge_reference or
	// pledge_id), so that its problem names the cell the row used.
	from map[string]string
	// resolved
	fundID, donorID, pledgeID int64
	amount                    decimal.Decimal
	currency                  string
	rate                      decimal.Decimal // given; zero when none
	day                       Date
}

// DecideImport decides every row of a file in order: each row's every
// problem, or the record it creates; rows already imported (same
// fingerprint in the same fund) are duplicates and create nothing. The rows
// are read as a stream, a chunk at a time (ImportChunk): each chunk's
// fingerprints are looked up at once, its rows decided in order, and the
// records they create passed to sink (nil for a dry run) before the next
// chunk is read, so that neither the file nor its records are held whole.
func DecideImport(req ImportRequest, ld ImportLoader, today Date, now time.Time, by string, sink ImportSink) (ImportDecision, error) {
	d := ImportDecision{Pledges: map[int64]*PledgeState{}}
	d.Result.Kind = req.Kind
	d.Result.Errors = []ImportRowError{}
	tab := req.Table
	colOf := map[string]string{}
	for i, f := range tab.Fields {
		if f != "" {
			colOf[f] = tab.Headers[i]
		}
	}
	funds, err := ld.Funds()
	if err != nil {
		return d, err
	}
	fundByCode := map[string]int64{}
	for id, code := range funds {
		fundByCode[strings.ToLower(code)] = id
	}
	var donors []ImportDonor
	if req.Kind != ImportRates {
		if donors, err = ld.Donors(); err != nil {
			return d, err
		}
		for i := range donors {
			donors[i].folded = normalizeName(donors[i].Name)
		}
	}
	// How many times each row content was met so far (by its hash): the
	// same payment twice on a statement is two rows, each imported once.
	occurrences := map[[sha256.Size]byte]int{}
	byCurrency := map[string]decimal.Decimal{}
	usd := decimal.Zero
	loads := map[RecordKeys]RecordLoad{}
	record := func(k RecordKeys) (RecordLoad, error) {
		if l, ok := loads[k]; ok {
			return l, nil
		}
		l, err := ld.Record(k)
		loads[k] = l
		return l, err
	}
	ratesInFile := map[string]bool{}
	// A donor already recorded (same name, folded, and country) is a duplicate, not a second donor.
	known := map[string]bool{}
	for _, dn := range donors {
		known[dn.folded+"\x1f"+dn.CountryCode] = true
	}
	rows := make([]*importRow, 0, ImportChunk)
	fps := make([]ImportFingerprint, 0, ImportChunk)
	records := make([]ImportRecord, 0, ImportChunk)
	decideChunk := func() error {
		seen, err := ld.Seen(fps)
		if err != nil {
			return err
		}
		records = records[:0]
		for _, ir := range rows {
			d.Result.Rows++
			dup := len(ir.p) == 0 && seen[ir.fp]
			var rec ImportRecord
			var rowUSD decimal.Decimal
			if !dup {
				var err error
				rec, rowUSD, dup, err = decideRow(req, ld, ir, &d, record, today, now, by, ratesInFile)
				if err != nil {
					return err
				}
				if dn := rec.Donor; dn != nil && len(ir.p) == 0 {
					key := normalizeName(dn.Name) + "\x1f" + dn.CountryCode
					dup, known[key] = known[key], true
				}
			}
			if len(ir.p) > 0 {
				d.Result.Invalid++
				d.Result.Errors = append(d.Result.Errors, rowErrors(ir, colOf, tab.Fields)...)
				continue
			}
			d.Result.Valid++
			if dup {
				d.Result.Duplicates++
				if ir.currency != "" && ir.amount.IsPositive() {
					if ir.rate.IsZero() && ir.currency != ReportingCurrency {
						k := recordKeys(ir.fundID, ir.donorID, ir.currency, ir.day)
						l, err := record(k)
						if err != nil {
							return err
						}
						if l.Rate != nil {
							rowUSD = ToUSD(ir.amount, l.Rate.Decimal)
						}
					} else if ir.currency == ReportingCurrency {
						rowUSD = ir.amount
					} else {
						rowUSD = ToUSD(ir.amount, ir.rate)
					}
				}
			} else {
				rec.Line, rec.Fingerprint = ir.line, ir.fp
				records = append(records, rec)
				d.Result.WouldCreate++
			}
			if ir.currency != "" && ir.amount.IsPositive() {
				byCurrency[ir.currency] = byCurrency[ir.currency].Add(ir.amount)
				usd = usd.Add(rowUSD)
			}
		}
		rows, fps = rows[:0], fps[:0]
		if sink != nil && len(records) > 0 && d.Result.Invalid == 0 {
			return sink(records)
		}
		return nil
	}
	err = tab.EachRow(func(r ImportRow) error {
		ir := &importRow{line: r.Line, values: make(map[string]string, len(tab.Fields)), p: Problems{}}
		for i, f := range tab.Fields {
			if f != "" && i < len(r.Cells) {
				ir.values[f] = r.Cells[i]
			}
		}
		if err := resolveRow(req, ld, ir, funds, fundByCode, donors); err != nil {
			return err
		}
		key := req.Kind + "\x1f" + strconv.FormatInt(ir.fp.FundID, 10) + "\x1f" + ir.fp.Fingerprint
		h := sha256.Sum256([]byte(key))
		n := occurrences[h] + 1
		occurrences[h] = n
		sum := sha256.Sum256([]byte(key + "\x1f" + strconv.Itoa(n)))
		ir.fp.Fingerprint = hex.EncodeToString(sum[:])
		fps = append(fps, ir.fp)
		rows = append(rows, ir)
		if len(rows) == ImportChunk {
			return decideChunk()
		}
		return nil
	})
	if err == nil && len(rows) > 0 {
		err = decideChunk()
	}
	if err != nil {
		return d, err
	}
	d.Result.Totals = ImportTotals{ByCurrency: []ImportCurrencyAmount{}, AmountUSD: USD(usd)}
	for _, cur := range SortedKeys(byCurrency, func(a, b string) bool { return a < b }) {
		d.Result.Totals.ByCurrency = append(d.Result.Totals.ByCurrency, ImportCurrencyAmount{cur, NewMoney(byCurrency[cur], cur).String()})
	}
	return d, nil
}

// rowErrors lists a row's problems in the order of the file's columns (fields
// no column gives last, by name).
func rowErrors(ir *importRow, colOf map[string]string, fields []string) []ImportRowError {
	order := map[string]int{}
	for i, f := range fields {
		if f != "" {
			order[f] = i
		}
	}
	column := func(field string) *string {
		if h, ok := colOf[ir.from[field]]; ok { // the cell this row used
			return &h
		}
		for _, f := range columnFields[field] {
			if h, ok := colOf[f]; ok {
				return &h
			}
		}
		if h, ok := colOf[field]; ok {
			return &h
		}
		return nil
	}
	pos := func(field string) int {
		for _, f := range append(columnFields[field], field) {
			if i, ok := order[f]; ok {
				return i
			}
		}
		return 1 << 20
	}
	keys := SortedKeys(ir.p, func(a, b string) bool {
		pa, pb := pos(a), pos(b)
		return pa < pb || pa == pb && a < b
	})
	out := make([]ImportRowError, 0, len(keys))
	for _, f := range keys {
		out = append(out, ImportRowError{Row: ir.line, Column: column(f), Field: f, Problem: ir.p[f]})
	}
	return out
}

// columnFields are the columns that may give an API field, the one that
// decides first (a donor's name and a pledge's reference decide over an id
// beside them: resolveRow).
var columnFields = map[string][]string{
	"fund_id":   {"fund_id", "fund_code"},
	"donor_id":  {"donor_name", "donor_country", "donor_id"},
	"pledge_id": {"pledge_reference", "pledge_id"},
}

func decimalInput(s string) DecimalInput { return DecimalInput{Raw: s, Set: s != ""} }
func dateInput(s string) DateInput       { return DateInput{Raw: s, Set: s != ""} }

// canonicalDecimal is a decimal's canonical text ("1250.50" -> "1250.5"), or the text as written.
func canonicalDecimal(s string) string {
	if canonicalPlain(s) {
		return s // most cells: no decimal parsed, no pattern matched
	}
	if v, err := decimal.NewFromString(s); err == nil && plainDecimal.MatchString(s) {
		return v.String()
	}
	return s
}

// canonicalPlain tells whether s is a plain decimal already in its canonical
// text: 1 to 30 digits without a leading zero (but "0"), and when a point
// follows, 1 to 30 digits not ending with a zero.
func canonicalPlain(s string) bool {
	point := strings.IndexByte(s, '.')
	whole, frac := s, ""
	if point >= 0 {
		whole, frac = s[:point], s[point+1:]
		if len(frac) == 0 || len(frac) > 30 || frac[len(frac)-1] == '0' {
			return false
		}
	}
	if len(whole) == 0 || len(whole) > 30 || len(whole) > 1 && whole[0] == '0' {
		return false
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}

// resolveRow turns a row's references into ids (fund, donor, pledge) and
// computes its fingerprint's content.
func resolveRow(req ImportRequest, ld ImportLoader, ir *importRow, funds map[int64]string, fundByCode map[string]int64, donors []ImportDonor) error {
	v := ir.values
	switch req.Kind {
	case ImportDonors:
		ir.fp = ImportFingerprint{0, strings.Join([]string{normalizeName(v["name"]), strings.ToUpper(v["country_code"]),
			strings.ToLower(v["kind"])}, "\x1f")}
		return nil
	case ImportRates:
		ir.fp = ImportFingerprint{0, strings.Join([]string{strings.ToUpper(v["currency"]), v["effective_on"],
			canonicalDecimal(v["units_per_usd"])}, "\x1f")}
		return nil
	}
	// Fund.
	if s := v["fund_id"]; s != "" {
		if id, err := strconv.ParseInt(s, 10, 64); err != nil || id <= 0 {
			ir.p.Add("fund_id", "must be a positive id")
		} else if _, ok := funds[id]; !ok {
			ir.p.Add("fund_id", "no fund with id "+s)
		} else {
			ir.fundID = id
		}
	} else if s := v["fund_code"]; s != "" {
		if id, ok := fundByCode[strings.ToLower(s)]; ok {
			ir.fundID = id
		} else {
			codes := make([]string, 0, len(funds))
			for _, c := range funds {
				codes = append(codes, c)
			}
			sort.Strings(codes)
			ir.p.Add("fund_id", "no fund with code "+strconv.Quote(s)+" (funds: "+strings.Join(codes, ", ")+")")
		}
	}
	// Donor. A name (with its country) is the reference that holds across
	// ledgers; an id is this ledger's, and an export's ids are the ledger's
	// it came from. So with both, the name decides and the id only settles
	// between donors of the same name; an id alone is read as an id.
	givenDonor := importID(v["donor_id"], "donor_id", "must be a positive id", ir.p)
	ir.from = map[string]string{}
	switch {
	case ir.p["donor_id"] != "":
		ir.from["donor_id"] = "donor_id"
	case v["donor_name"] != "":
		ir.from["donor_id"] = "donor_name"
		ir.donorID = matchDonor(v["donor_name"], v["donor_country"], givenDonor, donors, ir.p)
	default:
		ir.from["donor_id"] = "donor_id"
		ir.donorID = givenDonor
	}
	// Pledge (contributions): likewise, the reference decides, the id settles
	// between pledges of the same reference.
	if req.Kind == ImportContributions {
		givenPledge := importID(v["pledge_id"], "pledge_id", "must be a positive id or null", ir.p)
		ir.from["pledge_id"] = "pledge_id"
		if s := v["pledge_reference"]; s != "" && ir.p["pledge_id"] == "" {
			ir.from["pledge_id"] = "pledge_reference"
			ids, err := ld.PledgesByReference(s, ir.fundID)
			if err != nil {
				return err
			}
			switch {
			case len(ids) == 0:
				ir.p.Add("pledge_id", "no pledge with reference "+strconv.Quote(s))
			case len(ids) == 1:
				ir.pledgeID = ids[0]
			case givenPledge > 0 && slices.Contains(ids, givenPledge):
				ir.pledgeID = givenPledge
			default:
				names := make([]string, len(ids))
				for i, id := range ids {
					names[i] = strconv.FormatInt(id, 10)
				}
				ir.p.Add("pledge_id", "the reference "+strconv.Quote(s)+" matches several pledges (ids "+strings.Join(names, ", ")+"): give pledge_id")
			}
		} else {
			ir.pledgeID = givenPledge
		}
		if ir.pledgeID > 0 {
			st, err := ld.Pledge(ir.pledgeID)
			if err != nil {
				return err
			}
			if st == nil {
				ir.p.Add("pledge_id", "no pledge with id "+strconv.FormatInt(ir.pledgeID, 10))
			} else {
				if ir.fundID == 0 && v["fund_id"] == "" && v["fund_code"] == "" {
					ir.fundID = st.Pledge.FundID
				}
				if ir.donorID == 0 && v["donor_id"] == "" && v["donor_name"] == "" {
					ir.donorID = st.Pledge.DonorID
				}
			}
		}
	}
	if ir.fundID > 0 && req.CanWrite != nil && !req.CanWrite(ir.fundID) {
		ir.p.Add("fund_id", "You may not change records of this fund: your role only writes on the funds assigned to you.")
	}
	// Amount, currency, day and rate: for totals and the fingerprint.
	ir.currency = strings.ToUpper(v["currency"])
	if ir.currency == "" && ir.pledgeID > 0 {
		if st, _ := ld.Pledge(ir.pledgeID); st != nil {
			ir.currency = st.Pledge.Currency
		}
	}
	if code, ok := ParseCurrency(ir.currency); ok {
		ir.currency = code
		if a := v["amount"]; a != "" {
			q := Problems{}
			ir.amount = decimalInput(a).Amount("amount", code, q)
		}
		if r := v["exchange_rate"]; r != "" {
			q := Problems{}
			ir.rate = decimalInput(r).Rate("exchange_rate", q)
		}
	} else {
		ir.currency = ""
	}
	day := v["received_on"]
	if req.Kind == ImportPledges {
		day = v["pledged_on"]
	}
	ir.day = Date(day)
	earmarking := strings.ToLower(v["earmarking"])
	if earmarking == "" {
		earmarking = "unearmarked"
	}
	ir.fp = ImportFingerprint{ir.fundID, strings.Join([]string{strconv.FormatInt(ir.donorID, 10), strconv.FormatInt(ir.pledgeID, 10),
		canonicalDecimal(v["amount"]), ir.currency, day, v["due_on"], canonicalDecimal(v["exchange_rate"]), strings.ToLower(v["stage"]),
		earmarking, v["reference"], v["notes"]}, "\x1f")}
	return nil
}

// matchDonor finds the donor a row names: its name (case- and
// accent-insensitive) and, when given, its country. No match or several are
// problems naming the candidates. givenID (0: none) settles between donors
// of the same name.
func matchDonor(name, country string, givenID int64, donors []ImportDonor, p Problems) int64 {
	want := normalizeName(name)
	country = strings.ToUpper(strings.TrimSpace(country))
	var same, match []ImportDonor
	for _, d := range donors {
		if d.folded != want {
			continue
		}
		same = append(same, d)
		if country == "" || d.CountryCode == country {
			match = append(match, d)
		}
	}
	describe := func(ds []ImportDonor) string {
		parts := make([]string, 0, len(ds))
		for i, d := range ds {
			if i == 10 {
				parts = append(parts, "…")
				break
			}
			c := d.CountryCode
			if c == "" {
				c = "no country"
			}
			parts = append(parts, d.Name+" ("+c+", id "+strconv.FormatInt(d.ID, 10)+")")
		}
		return strings.Join(parts, "; ")
	}
	switch {
	case len(match) == 1:
		return match[0].ID
	case len(match) > 1 && givenID > 0 && slices.ContainsFunc(match, func(d ImportDonor) bool { return d.ID == givenID }):
		return givenID
	case len(match) > 1:
		p.Add("donor_id", strconv.Quote(name)+" matches several donors: "+describe(match)+": give donor_country or donor_id")
	default:
		cands := same
		if len(cands) == 0 {
			for _, d := range donors {
				n := d.folded
				if want != "" && (strings.Contains(n, want) || strings.Contains(want, n)) {
					cands = append(cands, d)
				}
			}
		}
		msg := "no donor named " + strconv.Quote(name)
		if country != "" {
			msg += " in " + country
		}
		if len(cands) > 0 {
			msg += "; candidates: " + describe(cands)
		} else {
			msg += " (no candidate: create the donor first)"
		}
		p.Add("donor_id", msg)
	}
	return 0
}

// decideRow decides a row that is not a duplicate: its problems go to ir.p;
// when it has none, the record and its USD value. A rate already recorded
// with the same value is a duplicate too.
func decideRow(req ImportRequest, ld ImportLoader, ir *importRow, d *ImportDecision, record func(RecordKeys) (RecordLoad, error),
	today Date, now time.Time, by string, ratesInFile map[string]bool) (ImportRecord, decimal.Decimal, bool, error) {
	v := ir.values
	merge := func(err error) {
		if e, ok := err.(*Error); ok {
			for f, msg := range e.Fields {
				ir.p.Add(f, msg)
			}
			if len(e.Fields) == 0 && e.Message != "" {
				ir.p.Add("row", e.Message)
			}
		}
	}
	switch req.Kind {
	case ImportDonors:
		in := DonorInput{Name: ptr(v["name"]), Kind: ptr(strings.ToLower(v["kind"]))}
		if s, ok := v["country_code"]; ok && s != "" {
			in.CountryCode = ptr(s)
		}
		if s := v["contact_email"]; s != "" {
			in.ContactEmail = ptr(s)
		}
		if s := v["iati_org_ref"]; s != "" {
			in.IATIOrgRef = NullableText{Set: true, Value: s}
		}
		if s := v["language"]; s != "" { // issue 11: en, fr or ar
			in.Language = ptr(strings.ToLower(s))
		}
		if s := v["anonymous"]; s != "" {
			switch strings.ToLower(s) {
			case "true", "yes", "1", "oui", "vrai":
				in.Anonymous = ptr(true)
			case "false", "no", "0", "non", "faux":
				in.Anonymous = ptr(false)
			default:
				ir.p.Add("anonymous", "must be true or false")
			}
		}
		var dn Donor
		merge(in.Apply(&dn, false))
		if len(ir.p) > 0 {
			return ImportRecord{}, decimal.Zero, false, nil
		}
		dn.CreatedAt, dn.UpdatedAt = now, now
		return ImportRecord{Donor: &dn}, decimal.Zero, false, nil
	case ImportRates:
		in := ExchangeRateInput{Currency: v["currency"], EffectiveOn: dateInput(v["effective_on"]), UnitsPerUSD: decimalInput(v["units_per_usd"]), Source: v["source"]}
		r, err := in.Validate()
		merge(err)
		if len(ir.p) > 0 {
			return ImportRecord{}, decimal.Zero, false, nil
		}
		key := r.Currency + " " + string(r.EffectiveOn)
		if ratesInFile[key] {
			ir.p.Add("effective_on", "already has a rate for "+r.Currency+" (an earlier row of the file)")
			return ImportRecord{}, decimal.Zero, false, nil
		}
		old, err := ld.Rate(r.Currency, r.EffectiveOn)
		if err != nil {
			return ImportRecord{}, decimal.Zero, false, err
		}
		if old != nil {
			if old.UnitsPerUSD.Equal(r.UnitsPerUSD.Decimal) {
				return ImportRecord{}, decimal.Zero, true, nil
			}
			ir.p.Add("effective_on", "already has a rate for "+r.Currency+" ("+old.UnitsPerUSD.String()+")")
			return ImportRecord{}, decimal.Zero, false, nil
		}
		ratesInFile[key] = true
		r.CreatedAt, r.CreatedBy = now, by
		return ImportRecord{Rate: &r}, decimal.Zero, false, nil
	case ImportPledges:
		if st := strings.ToLower(v["status"]); st == StatusCancelled {
			ir.p.Add("status", "a cancelled pledge is not imported: export with voided=exclude, or remove the row")
		}
		if wo, err := decimal.NewFromString(v["written_off"]); err == nil && wo.IsPositive() {
			// Imported live, its written-off part would be owed again.
			ir.p.Add("written_off", "a pledge partly written off is not imported: import it without its written-off part, or remove the row")
		}
		in := PledgeInput{FundID: ir.fundID, DonorID: ir.donorID, Amount: decimalInput(v["amount"]), Currency: v["currency"],
			PledgedOn: dateInput(v["pledged_on"]), DueOn: dateInput(v["due_on"]), Stage: strings.ToLower(v["stage"]),
			Earmarking: strings.ToLower(v["earmarking"]), ExchangeRate: decimalInput(v["exchange_rate"]), Reference: v["reference"], Notes: v["notes"]}
		rl, err := record(in.Keys())
		if err != nil {
			return ImportRecord{}, decimal.Zero, false, err
		}
		rl.Today, rl.Now, rl.By = today, now, by
		rl.Totals = rl.Totals.withInto(d.Effects, &d.scratchTotals)
		if in.Stage == StageCommitment && ir.fundID > 0 {
			if rl.CommitmentBlocked, err = ld.CommitmentBlocked(ir.fundID); err != nil {
				return ImportRecord{}, decimal.Zero, false, err
			}
		}
		w, err := DecidePledge(in, rl)
		merge(err)
		if len(ir.p) > 0 {
			return ImportRecord{}, decimal.Zero, false, nil
		}
		d.Effects.Add(w.Effects)
		pl := w.Pledge.Pledge
		return ImportRecord{Pledge: &pl}, pl.AmountUSD.Amount, false, nil
	default: // contributions
		if vd := strings.ToLower(v["voided"]); vd == "true" || vd == "yes" || vd == "1" {
			ir.p.Add("voided", "a voided contribution is not imported: export with voided=exclude, or remove the row")
		}
		in := ContributionInput{FundID: ir.fundID, DonorID: ir.donorID, Amount: decimalInput(v["amount"]), Currency: v["currency"],
			ReceivedOn: dateInput(v["received_on"]), ExchangeRate: decimalInput(v["exchange_rate"]), Earmarking: strings.ToLower(v["earmarking"]),
			Reference: v["reference"], Notes: v["notes"]}
		var pledge *PledgeState
		if ir.pledgeID > 0 {
			id := ir.pledgeID
			in.PledgeID = &id
			if st, ok := d.Pledges[id]; ok {
				pledge = st
			} else {
				st, err := ld.Pledge(id)
				if err != nil {
					return ImportRecord{}, decimal.Zero, false, err
				}
				pledge = st
			}
		}
		var pm *Pledge
		if pledge != nil {
			pm = &pledge.Pledge
		}
		rl, err := record(in.Keys(pm))
		if err != nil {
			return ImportRecord{}, decimal.Zero, false, err
		}
		rl.Today, rl.Now, rl.By = today, now, by
		rl.Totals = rl.Totals.withInto(d.Effects, &d.scratchTotals)
		w, err := DecideContribution(in, ContributionLoad{RecordLoad: rl, Pledge: pledge, Scratch: &d.scratchEffects})
		merge(err)
		if len(ir.p) > 0 {
			return ImportRecord{}, decimal.Zero, false, nil
		}
		d.Effects.Add(w.Effects)
		if w.Pledge != nil {
			d.Pledges[w.Pledge.Pledge.ID] = w.Pledge
		}
		c := w.Contribution
		return ImportRecord{Contribution: &c}, c.AmountUSD.Amount, false, nil
	}
}

func ptr[T any](v T) *T { return &v }

// withInto adds effects decided earlier in the same write to the totals
// loaded, in out's maps (emptied first, made when nil): an import decides
// row after row with the same maps.
func (c CurrentTotals) withInto(e Effects, out *CurrentTotals) CurrentTotals {
	if out.Funds == nil {
		*out = CurrentTotals{Funds: map[int64]FundTotal{}, Donors: map[FundDonor]FundTotal{}, Currencies: map[FundCurrency]CurrencyTotal{}}
	}
	clear(out.Funds)
	clear(out.Donors)
	clear(out.Currencies)
	for k, t := range c.Funds {
		d := e.Funds[k]
		out.Funds[k] = FundTotal{t.Paid + d.Paid, t.Outstanding + d.Outstanding}
	}
	for k, t := range c.Donors {
		d := e.Donors[k]
		out.Donors[k] = FundTotal{t.Paid + d.Paid, t.Outstanding + d.Outstanding}
	}
	for k, t := range c.Currencies {
		d := e.Currencies[k]
		out.Currencies[k] = CurrencyTotal{t.PaidMinor + d.PaidMinor, t.PaidCents + d.PaidCents, t.OutstandingMinor + d.OutstandingMinor,
			t.OutstandingCents + d.OutstandingCents}
	}
	return *out
}

// WithImportID is a record's JSON with the id of the import that created it
// (for its audit row).
func WithImportID(v any, importID int64) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil || len(b) < 2 || b[len(b)-1] != '}' {
		return b, err
	}
	out := append(b[:len(b)-1:len(b)-1], []byte(`,"import_id":`+strconv.FormatInt(importID, 10)+`}`)...)
	return out, nil
}

// importID reads an optional id cell: 0 when empty, a problem on field when
// it is not a positive id.
func importID(s, field, problem string, p Problems) int64 {
	if s == "" {
		return 0
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		p.Add(field, problem)
		return 0
	}
	return id
}
