package handlers

import (
	"context"
	"net/http"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"
)

// RateStore keeps exchange rates.
type RateStore interface {
	Rates(ctx context.Context, currency string, pg models.PageRequest) (models.Page[models.ExchangeRate], error)
	CreateRate(ctx context.Context, a models.Actor, in models.ExchangeRateInput, idem models.Idempotency) (models.ExchangeRate, *models.Replay, error)
	Quote(ctx context.Context, currency string, on models.Date, amount decimal.Decimal, hasAmount bool) (models.Quote, error)
}

// ListRates answers GET /exchange-rates?currency=.
func (h *Handler) ListRates(c *gin.Context) {
	list(c, func(q *query) string { return q.currency("currency") }, h.rates.Rates)
}

// CreateRate answers POST /exchange-rates.
func (h *Handler) CreateRate(c *gin.Context) { create(c, h.rates.CreateRate) }

// QuoteRate answers GET /exchange-rates/quote?currency=&on=&amount=: the rate
// in force on a day and, with an amount, its USD value, as a record would get.
func (h *Handler) QuoteRate(c *gin.Context) {
	q := newQuery(c)
	p := models.Problems{}
	cur := models.CurrencyCode("currency", c.Query("currency"), p)
	on := q.date("on")
	if on == "" {
		on = models.Today()
	}
	var amount decimal.Decimal
	has := c.Query("amount") != ""
	if has {
		amount = models.DecimalInput{Raw: c.Query("amount"), Set: true}.Amount("amount", cur, p)
	}
	for k, v := range p {
		q.p.Add(k, v)
	}
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	quote, err := h.rates.Quote(c.Request.Context(), cur, on, amount, has)
	if err != nil {
		Error(c, err)
		return
	}
	quote.RateEffectiveOn = quote.EffectiveOn
	quote.MarkAge(h.RateStaleness)
	c.JSON(http.StatusOK, quote)
}
