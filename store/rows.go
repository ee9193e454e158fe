package store

import (
	"cmp"
	"time"

	"github.com/fundtracker/fundtracker/models"
)

// Rows as stored. Money is integer minor units; models carry decimals.

type fundRow struct {
	ID           int64 `gorm:"primaryKey"`
	Code         string
	Name         string
	Organization string
	Description  string
	TargetCents  int64
	OpensOn      string
	ClosesOn     string
	// Issue 13: IATI ('' = unset).
	IATIIdentifier       string `gorm:"column:iati_identifier"`
	IATIReportingOrgRef  string `gorm:"column:iati_reporting_org_ref"`
	IATIReportingOrgType string `gorm:"column:iati_reporting_org_type"`
	IATIReportingOrgName string `gorm:"column:iati_reporting_org_name"`
	CreatedAt            time.Time
	UpdatedAt            time.Time

	// RequireAgreementForCommitment (issue 16).
	RequireAgreementForCommitment bool
	Translations                  string // JSON (issue 15)
	ReminderPolicy                string // JSON, '' = none (issue 11)
}

func (fundRow) TableName() string { return "funds" }

func (r fundRow) model() models.Fund {
	return models.Fund{ID: r.ID, Code: r.Code, Name: r.Name, Organization: r.Organization, Description: r.Description,
		Currency: models.ReportingCurrency, TargetUSD: models.USDCents(r.TargetCents),
		OpensOn: models.Date(r.OpensOn), ClosesOn: models.Date(r.ClosesOn), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		IATIIdentifier: nonEmpty(r.IATIIdentifier), IATIReportingOrg: iatiOrgOf(r), RequireAgreementForCommitment: r.RequireAgreementForCommitment,
		Translations: fundTranslationsOf(r.Translations), ReminderPolicy: reminderPolicyOf(r.ReminderPolicy)}
}

func fundRowOf(f models.Fund) fundRow {
	r := fundRow{ID: f.ID, Code: f.Code, Name: f.Name, Organization: f.Organization, Description: f.Description,
		TargetCents: models.ToMinor(f.TargetUSD.Amount, 2), OpensOn: string(f.OpensOn), ClosesOn: string(f.ClosesOn),
		CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt, IATIIdentifier: valueOf(f.IATIIdentifier),
		RequireAgreementForCommitment: f.RequireAgreementForCommitment,
		Translations:                  jsonOf(f.Translations)}
	if f.ReminderPolicy != nil {
		r.ReminderPolicy = jsonOf(f.ReminderPolicy)
	}
	if o := f.IATIReportingOrg; o != nil {
		r.IATIReportingOrgRef, r.IATIReportingOrgType, r.IATIReportingOrgName = o.Ref, o.Type, o.Name
	}
	return r
}

type donorRow struct {
	ID           int64 `gorm:"primaryKey"`
	Name         string
	Kind         string
	CountryCode  string
	Anonymous    bool
	ContactEmail string
	IATIOrgRef   string `gorm:"column:iati_org_ref"`
	DisplayNames string // JSON (issue 15)
	Language     string // issue 11
	CreatedAt    time.Time
	UpdatedAt    time.Time
	MergedInto   *int64
	MergedAt     *time.Time
	MergedBy     string
	MergeReason  string
}

func (donorRow) TableName() string { return "donors" }

func (r donorRow) model() models.Donor {
	return models.Donor{ID: r.ID, Name: r.Name, Kind: r.Kind, CountryCode: r.CountryCode, Anonymous: r.Anonymous,
		ContactEmail: r.ContactEmail, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), IATIOrgRef: nonEmpty(r.IATIOrgRef),
		DisplayNames: displayNamesOf(r.DisplayNames), Language: cmp.Or(r.Language, "en"),

		MergedInto: r.MergedInto, MergedAt: utcPtr(r.MergedAt), MergedBy: r.MergedBy, MergeReason: r.MergeReason}
}

func donorRowOf(d models.Donor) donorRow {
	return donorRow{ID: d.ID, Name: d.Name, Kind: d.Kind, CountryCode: d.CountryCode, Anonymous: d.Anonymous,
		ContactEmail: d.ContactEmail, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, IATIOrgRef: valueOf(d.IATIOrgRef),
		DisplayNames: jsonOf(d.DisplayNames), Language: cmp.Or(d.Language, "en"),

		MergedInto: d.MergedInto, MergedAt: d.MergedAt, MergedBy: d.MergedBy, MergeReason: d.MergeReason}
}

type rateRow struct {
	ID          int64 `gorm:"primaryKey"`
	Currency    string
	EffectiveOn string
	UnitsPerUSD string `gorm:"column:units_per_usd"`
	Source      string
	CreatedAt   time.Time
	CreatedBy   string
}

func (rateRow) TableName() string { return "exchange_rates" }

func (r rateRow) model() models.ExchangeRate {
	rate, _ := models.ParseRate(r.UnitsPerUSD)
	return models.ExchangeRate{ID: r.ID, Currency: r.Currency, EffectiveOn: models.Date(r.EffectiveOn), UnitsPerUSD: rate,
		Source: r.Source, CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy}
}

type pledgeRow struct {
	ID             int64 `gorm:"primaryKey"`
	FundID         int64
	DonorID        int64
	AmountMinor    int64
	Currency       string
	ExchangeRate   string
	AmountUSDCents int64 `gorm:"column:amount_usd_cents"`
	PaidMinor      int64
	// Issue 11: the written-off total, the current schedule's version and the
	// earliest due date with something outstanding (kept by every write).
	WrittenOffMinor    int64
	WrittenOffUSDCents int64 `gorm:"column:written_off_usd_cents"`
	ScheduleVersion    int
	NextDueOn          string
	PledgedOn          string
	DueOn              string
	Stage              string
	Earmarking         string
	Reference          string
	Notes              string
	CancelledAt        *time.Time
	CancelDay          string
	CancelReason       string
	CancelledBy        string
	CreatedAt          time.Time
	CreatedBy          string
	UpdatedAt          time.Time
	// Joined for display, not stored.
	FundCode  string `gorm:"->;-:migration"`
	DonorName string `gorm:"->;-:migration"`
	// RateEffectiveOn is when the rate applied took effect (issue 14), null
	// for USD and for a rate given by hand that no recorded rate matches.
	RateEffectiveOn *string `gorm:"->;-:migration"`
}

func (pledgeRow) TableName() string { return "pledges" }

func (r pledgeRow) model(today models.Date) models.Pledge {
	places := models.MinorUnits(r.Currency)
	rate, _ := models.ParseRate(r.ExchangeRate)
	p := models.Pledge{ID: r.ID, FundID: r.FundID, FundCode: r.FundCode, DonorID: r.DonorID, DonorName: r.DonorName,
		Amount: models.Money{Amount: models.FromMinor(r.AmountMinor, places), Places: places}, Currency: r.Currency,
		ExchangeRate: rate, AmountUSD: models.USDCents(r.AmountUSDCents),
		Paid:      models.Money{Amount: models.FromMinor(r.PaidMinor, places), Places: places},
		PledgedOn: models.Date(r.PledgedOn), DueOn: models.Date(r.DueOn), Stage: r.Stage, Earmarking: r.Earmarking,
		Reference: r.Reference, Notes: r.Notes, Cancelled: r.CancelledAt != nil, CancelReason: r.CancelReason,
		CancelledAt: utcPtr(r.CancelledAt), CancelledBy: r.CancelledBy, CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy,
		UpdatedAt: r.UpdatedAt.UTC(), RateEffectiveOn: datePtr(r.RateEffectiveOn),
		WrittenOff:    models.Money{Amount: models.FromMinor(r.WrittenOffMinor, places), Places: places},
		WrittenOffUSD: models.USDCents(r.WrittenOffUSDCents), NextDueOn: models.Date(r.NextDueOn)}
	p.Derive(today)
	return p
}

type contributionRow struct {
	ID             int64 `gorm:"primaryKey"`
	FundID         int64
	DonorID        int64
	PledgeID       *int64
	AmountMinor    int64
	Currency       string
	ExchangeRate   string
	AmountUSDCents int64 `gorm:"column:amount_usd_cents"`
	ReceivedOn     string
	Earmarking     string
	Reference      string
	Notes          string
	VoidedAt       *time.Time
	VoidDay        string
	VoidReason     string
	VoidedBy       string
	CreatedAt      time.Time
	CreatedBy      string
	// Issue 15: the INSERT leaves both to the column defaults.
	Acknowledgement string `gorm:"default:to_be_acknowledged"`
	AcknowledgedOn  string
	FundCode        string `gorm:"->;-:migration"`
	DonorName       string `gorm:"->;-:migration"`
	DonorCountry    string `gorm:"->;-:migration"`
	PledgeReference string `gorm:"->;-:migration"`
	// RateEffectiveOn: see pledgeRow.
	RateEffectiveOn *string `gorm:"->;-:migration"`
}

func (contributionRow) TableName() string { return "contributions" }

func (r contributionRow) model() models.Contribution {
	places := models.MinorUnits(r.Currency)
	rate, _ := models.ParseRate(r.ExchangeRate)
	return models.Contribution{ID: r.ID, FundID: r.FundID, FundCode: r.FundCode, DonorID: r.DonorID, DonorName: r.DonorName,
		PledgeID: r.PledgeID, Amount: models.Money{Amount: models.FromMinor(r.AmountMinor, places), Places: places},
		Currency: r.Currency, ExchangeRate: rate, AmountUSD: models.USDCents(r.AmountUSDCents),
		ReceivedOn: models.Date(r.ReceivedOn), Earmarking: r.Earmarking, Reference: r.Reference, Notes: r.Notes,
		Voided: r.VoidedAt != nil, VoidReason: r.VoidReason, VoidedAt: utcPtr(r.VoidedAt), VoidedBy: r.VoidedBy,
		CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy,
		Acknowledgement: ackOf(r.Acknowledgement), AcknowledgedOn: models.Date(r.AcknowledgedOn),
		RateEffectiveOn: datePtr(r.RateEffectiveOn), DonorCountry: r.DonorCountry, PledgeReference: r.PledgeReference}
}

func datePtr(s *string) *models.Date {
	if s == nil || *s == "" {
		return nil
	}
	d := models.Date(*s)
	return &d
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type userRow struct {
	ID           int64 `gorm:"primaryKey"`
	Email        string
	PasswordHash string
	Role         string
	Active       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) model() models.User {
	return models.User{ID: r.ID, Email: r.Email, Role: r.Role, FundIDs: []int64{}, Active: r.Active, CreatedAt: r.CreatedAt.UTC()}
}

type tokenRow struct {
	ID        int64 `gorm:"primaryKey"`
	UserID    int64
	Kind      string
	Name      string
	TokenHash string
	CreatedAt time.Time
	ExpiresAt *time.Time
	RevokedAt *time.Time
	// Scope and LastUsedAt (issue 16).
	Scope      string
	LastUsedAt *time.Time
}

func (tokenRow) TableName() string { return "tokens" }

func (r tokenRow) model() models.Token {
	t := models.Token{ID: r.ID, UserID: r.UserID, Kind: r.Kind, Name: r.Name, Scope: r.Scope, CreatedAt: r.CreatedAt.UTC(),
		ExpiresAt: utcPtr(r.ExpiresAt), LastUsedAt: utcPtr(r.LastUsedAt), RevokedAt: utcPtr(r.RevokedAt)}
	if t.Scope == "" {
		t.Scope = models.ScopeWrite
	}
	if r.Kind == models.TokenAPI && r.ExpiresAt != nil {
		// An API token works through its expires_on day: it expires at the end of it.
		d := models.DateOf(r.ExpiresAt.Add(-time.Nanosecond))
		t.ExpiresOn = &d
	}
	return t
}

type auditRow struct {
	ID       int64 `gorm:"primaryKey"`
	At       time.Time
	ActorID  *int64
	Actor    string
	SourceIP string `gorm:"column:source_ip"`
	Action   string
	Entity   string
	EntityID *int64
	Before   *string
	After    *string
}

func (auditRow) TableName() string { return "audit_events" }

type idempotencyRow struct {
	ID          int64 `gorm:"primaryKey"`
	UserID      int64
	Key         string
	Fingerprint string
	Status      int
	Response    string
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }
