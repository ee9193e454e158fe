package handlers

import (
	"context"
	"net/http"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// PublicStore is what issue 15's routes need: donor links and statements,
// acknowledgements and the open-data snapshot.
type PublicStore interface {
	CreateDonorLink(ctx context.Context, a models.Actor, donorID int64, in models.DonorLinkInput) (models.DonorLink, string, error)
	DonorLinks(ctx context.Context, donorID int64, pg models.PageRequest) (models.Page[models.DonorLink], error)
	RevokeDonorLink(ctx context.Context, a models.Actor, id int64) (models.DonorLink, error)
	ThrottleDonorView(ctx context.Context, ip string) error
	DonorLinkFor(ctx context.Context, secret, ip string) (models.DonorLink, error)
	DonorStatement(ctx context.Context, link models.DonorLink, lang string, from, to models.Date) (models.DonorStatement, error)
	AcknowledgeContribution(ctx context.Context, a models.Actor, id int64, in models.AcknowledgeInput) (models.Contribution, error)
	FundSnapshot(ctx context.Context, idOrCode string, asOf models.Date) (models.Snapshot, error)
}

// DonorPagePath is where a donor link's page lives: DonorPagePath + secret.
const DonorPagePath = "/donor/"

// CreateDonorLink answers POST /donors/{id}/links: 201 with the url, which
// carries the secret; it is shown this once.
func (h *Handler) CreateDonorLink(c *gin.Context) {
	id, err := pathID(c, "id", "donor")
	if err != nil {
		Error(c, err)
		return
	}
	var in models.DonorLinkInput
	if err := decode(c, &in); err != nil {
		Error(c, err)
		return
	}
	link, secret, err := h.public.CreateDonorLink(c.Request.Context(), actor(c), id, in)
	if err != nil {
		Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, models.NewDonorLink{DonorLink: link, URL: DonorPagePath + secret})
}

// ListDonorLinks answers GET /donors/{id}/links, without secrets.
func (h *Handler) ListDonorLinks(c *gin.Context) {
	id, err := pathID(c, "id", "donor")
	if err != nil {
		Error(c, err)
		return
	}
	q := newQuery(c)
	pg := q.page()
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	page, err := h.public.DonorLinks(c.Request.Context(), id, pg)
	if err != nil {
		Error(c, err)
		return
	}
	c.JSON(http.StatusOK, page)
}

// RevokeDonorLink answers DELETE /donor-links/{id}: 204, also when it was revoked already.
func (h *Handler) RevokeDonorLink(c *gin.Context) {
	id, err := pathID(c, "id", "donor link")
	if err != nil {
		Error(c, err)
		return
	}
	if _, err := h.public.RevokeDonorLink(c.Request.Context(), actor(c), id); err != nil {
		Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// privateHeaders keep a donor's statement out of caches, search engines and
// Referer headers (its url is its key).
func privateHeaders(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Robots-Tag", "noindex, nofollow")
}

// donorView does what the page and the JSON share: throttle, find the link
// (one not_found for unknown, expired and revoked), read the period, gather
// the statement in the language (?lang=, else the link's, else the reader's).
func (h *Handler) donorView(c *gin.Context) (models.DonorStatement, error) {
	privateHeaders(c)
	ctx := c.Request.Context()
	if err := h.public.ThrottleDonorView(ctx, c.ClientIP()); err != nil {
		return models.DonorStatement{}, err
	}
	link, err := h.public.DonorLinkFor(ctx, c.Param("token"), c.ClientIP())
	if err != nil {
		return models.DonorStatement{}, err
	}
	q := newQuery(c)
	from, to := q.date("from"), q.date("to")
	if from != "" && to != "" && to < from {
		q.p.Add("to", "must be on or after from")
	}
	if err := q.err(); err != nil {
		return models.DonorStatement{}, err
	}
	lang := matchLang(c.Query("lang"))
	if lang == "" {
		lang = link.Lang
	}
	if lang == "" {
		lang = Lang(c)
	}
	c.Header("Content-Language", lang)
	return h.public.DonorStatement(ctx, link, lang, from, to)
}

// DonorView answers GET /donor-view/{token}: the donor's statement as JSON.
func (h *Handler) DonorView(c *gin.Context) {
	st, err := h.donorView(c)
	if err != nil {
		Error(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// AcknowledgeContribution answers POST /contributions/{id}/acknowledge.
func (h *Handler) AcknowledgeContribution(c *gin.Context) {
	changeByID(c, "contribution", h.public.AcknowledgeContribution)
}
