package store

import (
	"context"
	"strconv"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// Issue 15: donors' private statement links. The secret (256 random bits) is
// given once, in the link's url; the database keeps only its SHA-256, so a
// copy of the database opens no statement.

// DonorLinkPrefix starts every donor link secret.
const DonorLinkPrefix = "ftd_"

// Donor-view throttling: requests per address within ThrottleWindow.
var DonorViewMaxRequests = 120

type donorLinkRow struct {
	ID         int64 `gorm:"primaryKey"`
	DonorID    int64
	FundID     *int64
	TokenHash  string
	ExpiresOn  string
	Lang       string
	CreatedAt  time.Time
	CreatedBy  string
	RevokedAt  *time.Time
	RevokedBy  string
	LastUsedOn string
}

func (donorLinkRow) TableName() string { return "donor_links" }

func (r donorLinkRow) model(today models.Date) models.DonorLink {
	return models.DonorLink{ID: r.ID, DonorID: r.DonorID, FundID: r.FundID, ExpiresOn: models.Date(r.ExpiresOn), Lang: r.Lang,
		Status:    models.LinkStatus(r.RevokedAt != nil, models.Date(r.ExpiresOn), today),
		CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy, RevokedAt: utcPtr(r.RevokedAt), RevokedBy: r.RevokedBy,
		LastUsedOn: models.Date(r.LastUsedOn)}
}

// CreateDonorLink makes a link to a donor's statement, answering it with its
// secret (the only time the secret exists outside the donor's hands).
func (s *Store) CreateDonorLink(ctx context.Context, a models.Actor, donorID int64, in models.DonorLinkInput) (models.DonorLink, string, error) {
	today := s.today()
	exp, fundID, lang, err := in.Validate(today)
	if err != nil {
		return models.DonorLink{}, "", err
	}
	secret := NewSecret(DonorLinkPrefix)
	var out models.DonorLink
	err = s.writer.do(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&donorRow{}).Where("id = ?", donorID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return notFound("donor", donorID)
		}
		if fundID != nil {
			if err := tx.Model(&fundRow{}).Where("id = ?", *fundID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return models.FieldError("fund_id", "names no fund")
			}
		}
		row := donorLinkRow{DonorID: donorID, FundID: fundID, TokenHash: hashToken(secret), ExpiresOn: string(exp), Lang: lang,
			CreatedAt: s.now(), CreatedBy: a.Email}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		out = row.model(today)
		return s.audit(tx, a, "create", "donor_link", row.ID, nil, out)
	})
	return out, secret, wrap("create donor link", err)
}

// DonorLinks lists a donor's links, newest first, without their secrets.
func (s *Store) DonorLinks(ctx context.Context, donorID int64, pg models.PageRequest) (models.Page[models.DonorLink], error) {
	db := s.r.WithContext(ctx)
	var n int64
	if err := db.Model(&donorRow{}).Where("id = ?", donorID).Count(&n).Error; err != nil {
		return models.Page[models.DonorLink]{}, err
	}
	if n == 0 {
		return models.Page[models.DonorLink]{}, notFound("donor", donorID)
	}
	var rows []donorLinkRow
	if err := pageQuery(db.Where("donor_id = ?", donorID), "id", pg).Find(&rows).Error; err != nil {
		return models.Page[models.DonorLink]{}, err
	}
	today := s.today()
	links := make([]models.DonorLink, len(rows))
	for i, r := range rows {
		links[i] = r.model(today)
	}
	return models.NewPage(links, pg.Limit, func(l models.DonorLink) int64 { return l.ID }), nil
}

// RevokeDonorLink revokes a link; revoking a revoked link changes nothing.
func (s *Store) RevokeDonorLink(ctx context.Context, a models.Actor, id int64) (models.DonorLink, error) {
	var out models.DonorLink
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		var row donorLinkRow
		if err := s.dialect.forUpdate(tx).Where("id = ?", id).Take(&row).Error; err != nil {
			if isNotFound(err) {
				return notFound("donor link", id)
			}
			return err
		}
		today := s.today()
		if row.RevokedAt != nil {
			out = row.model(today)
			return nil
		}
		before := row.model(today)
		now := s.now()
		if err := tx.Model(&donorLinkRow{}).Where("id = ?", id).Updates(map[string]any{"revoked_at": now, "revoked_by": a.Email}).Error; err != nil {
			return err
		}
		row.RevokedAt, row.RevokedBy = &now, a.Email
		out = row.model(today)
		return s.audit(tx, a, "revoke", "donor_link", id, before, out)
	})
	return out, wrap("revoke donor link", err)
}

// ThrottleDonorView counts a request to a donor link from an address: a
// rate_limited error once the address has made too many in the window. It
// counts every request, good token or not, so that guessing is slow.
func (s *Store) ThrottleDonorView(ctx context.Context, ip string) error {
	var until time.Time
	err := s.writer.do(ctx, func(tx *gorm.DB) (err error) {
		until, _, err = s.countAttempt(tx, []throttleKey{{"donor-view:" + ip, DonorViewMaxRequests}})
		return err
	})
	if err != nil {
		return err
	}
	if !until.IsZero() {
		e := models.Errorf(models.ERATELIMITED, "Too many requests: try again after %s.", until.UTC().Format(time.RFC3339))
		e.RetryAfter = int(until.Sub(s.now()).Seconds()) + 1
		return e
	}
	return nil
}

// errNoLink is the one answer for a token that opens nothing: unknown,
// expired and revoked alike, with the same message.
var errNoLink = models.Errorf(models.ENOTFOUND, "This link is not valid: it may have expired or been revoked.")

// DonorLinkFor finds the live link a secret opens. The work is the same
// whatever the secret: it is always hashed and looked up by its hash (one
// indexed read), and every failure is the same not_found. The first use of a
// link on a day is audited (at most once a day per link).
func (s *Store) DonorLinkFor(ctx context.Context, secret string, ip string) (models.DonorLink, error) {
	hash := hashToken(secret)
	var rows []donorLinkRow
	if err := s.r.WithContext(ctx).Where("token_hash = ?", hash).Limit(1).Find(&rows).Error; err != nil {
		return models.DonorLink{}, err
	}
	today := s.today()
	if len(rows) == 0 || rows[0].model(today).Status != models.LinkActive {
		return models.DonorLink{}, errNoLink
	}
	row := rows[0]
	if row.LastUsedOn != string(today) {
		err := s.writer.do(ctx, func(tx *gorm.DB) error {
			res := tx.Model(&donorLinkRow{}).Where("id = ? AND last_used_on <> ?", row.ID, string(today)).Update("last_used_on", string(today))
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			a := models.Actor{Email: "donor-link", SourceIP: ip}
			return s.audit(tx, a, "use", "donor_link", row.ID, nil, map[string]any{"donor_id": row.DonorID, "on": today})
		})
		if err != nil {
			return models.DonorLink{}, err
		}
		row.LastUsedOn = string(today)
	}
	return row.model(today), nil
}

// DonorStatement gathers what a link shows: the donor's own pledges (pledged
// from..to) and live contributions (received from..to), in the link's fund
// when it names one, names in lang. Every query is by the link's donor id.
func (s *Store) DonorStatement(ctx context.Context, link models.DonorLink, lang string, from, to models.Date) (models.DonorStatement, error) {
	st := models.DonorStatement{Lang: lang, FundID: link.FundID, From: from, To: to, GeneratedOn: s.today(), ExpiresOn: link.ExpiresOn,
		Pledges: []models.StatementPledge{}, Contributions: []models.StatementGift{}}
	err := s.snapshotRead(ctx, func(db *gorm.DB) error {
		var d donorRow
		if err := db.Where("id = ?", link.DonorID).Take(&d).Error; err != nil {
			return err
		}
		donor := d.model()
		st.Donor = models.StatementDonor{Name: donor.NameIn(lang), Kind: donor.Kind, CountryCode: donor.CountryCode}
		funds := map[int64]models.Fund{}
		fundName := func(id int64) (models.Fund, error) {
			if f, ok := funds[id]; ok {
				return f, nil
			}
			fr, err := findFund(db, strconv.FormatInt(id, 10))
			if err != nil {
				return models.Fund{}, err
			}
			f := fr.model().Localized(lang)
			funds[id] = f
			return f, nil
		}
		pq := db.Table("pledges").Where("donor_id = ?", link.DonorID)
		cq := db.Table("contributions").Where("donor_id = ? AND voided_at IS NULL", link.DonorID)
		if link.FundID != nil {
			pq = pq.Where("fund_id = ?", *link.FundID)
			cq = cq.Where("fund_id = ?", *link.FundID)
		}
		if from != "" {
			pq = pq.Where("pledged_on >= ?", string(from))
			cq = cq.Where("received_on >= ?", string(from))
		}
		if to != "" {
			pq = pq.Where("pledged_on <= ?", string(to))
			cq = cq.Where("received_on <= ?", string(to))
		}
		var prows []pledgeRow
		if err := pq.Order("pledged_on, id").Find(&prows).Error; err != nil {
			return err
		}
		for _, r := range prows {
			f, err := fundName(r.FundID)
			if err != nil {
				return err
			}
			p := r.model(st.GeneratedOn)
			st.Pledges = append(st.Pledges, models.StatementPledge{ID: p.ID, FundCode: f.Code, FundName: f.Name,
				PledgedOn: p.PledgedOn, DueOn: p.DueOn, Amount: p.Amount, Currency: p.Currency, ExchangeRate: p.ExchangeRate,
				AmountUSD: p.AmountUSD, Paid: p.Paid, Outstanding: p.Outstanding, OutstandingUSD: p.OutstandingUSD,
				Status: p.Status, Earmarking: p.Earmarking, Reference: p.Reference, WrittenOff: p.WrittenOff, NextDueOn: p.NextDueOn})
		}
		var crows []contributionRow
		if err := cq.Order("received_on, id").Find(&crows).Error; err != nil {
			return err
		}
		for _, r := range crows {
			f, err := fundName(r.FundID)
			if err != nil {
				return err
			}
			c := r.model()
			st.Contributions = append(st.Contributions, models.StatementGift{ID: c.ID, FundCode: f.Code, FundName: f.Name,
				PledgeID: c.PledgeID, ReceivedOn: c.ReceivedOn, Amount: c.Amount, Currency: c.Currency,
				ExchangeRate: c.ExchangeRate, AmountUSD: c.AmountUSD, Earmarking: c.Earmarking, Reference: c.Reference})
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	st.Totals()
	return st, nil
}
