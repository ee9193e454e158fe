package handlers

import (
	"context"
	"net/http"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// The shapes most handlers share, each still decode, validate (in the store
// call, on the models' types), store, respond, returning after an error.

// create answers a POST that creates a record: decode the body, fingerprint it
// for an Idempotency-Key, create, answer 201 (or the first answer, replayed).
func create[In, Out any](c *gin.Context, call func(context.Context, models.Actor, In, models.Idempotency) (Out, *models.Replay, error)) {
	var in In
	if err := decode(c, &in); err != nil {
		Error(c, err)
		return
	}
	idem, err := idempotency(c, in)
	if err != nil {
		Error(c, err)
		return
	}
	out, replay, err := call(c.Request.Context(), actor(c), in, idem)
	if err != nil {
		Error(c, err)
		return
	}
	created(c, out, replay)
}

// list answers a GET of a page of records: the filter and the page read from
// the query string (every problem in one 422), the page fetched and answered.
func list[F, T any](c *gin.Context, filter func(*query) F, fetch func(context.Context, F, models.PageRequest) (models.Page[T], error)) {
	listTotalled(c, filter, fetch, nil)
}

// listTotalled answers a list as list does and, when ?totals=1 asks for it
// and the list has totals (issue 14), the totals of the whole filtered list.
func listTotalled[F, T any](c *gin.Context, filter func(*query) F, fetch func(context.Context, F, models.PageRequest) (models.Page[T], error),
	totals func(context.Context, F) (models.ListTotals, error)) {
	var withTotals bool
	f, page, ok := fetchPage(c, func(q *query) F {
		withTotals = totals != nil && q.flag("totals")
		return filter(q)
	}, fetch)
	if !ok {
		return
	}
	if totals == nil {
		c.JSON(http.StatusOK, page)
		return
	}
	out := models.TotalledPage[T]{Page: page}
	if withTotals {
		t, err := totals(c.Request.Context(), f)
		if err != nil {
			Error(c, err)
			return
		}
		out.Totals = &t
	}
	c.JSON(http.StatusOK, out)
}

// fetchPage reads a list's filter and page from the query string (every
// problem in one 422) and fetches the page; false when it has answered an error.
func fetchPage[F, T any](c *gin.Context, filter func(*query) F, fetch func(context.Context, F, models.PageRequest) (models.Page[T], error)) (F, models.Page[T], bool) {
	q := newQuery(c)
	f := filter(q)
	pg := q.page()
	if err := q.err(); err != nil {
		Error(c, err)
		return f, models.Page[T]{}, false
	}
	page, err := fetch(c.Request.Context(), f, pg)
	if err != nil {
		Error(c, err)
		return f, models.Page[T]{}, false
	}
	return f, page, true
}

// fundFigures answers a public GET of a fund's figures: the parameters read
// from the query string, the figures fetched and answered with an ETag.
func fundFigures[P, T any](c *gin.Context, params func(*query) P, fetch func(context.Context, string, P) (T, error)) {
	q := newQuery(c)
	p := params(q)
	if err := q.err(); err != nil {
		Error(c, err)
		return
	}
	out, err := fetch(c.Request.Context(), c.Param("fund"), p)
	if err != nil {
		Error(c, err)
		return
	}
	publicJSON(c, out)
}

// getByID answers a GET of one record by the numeric id in the path.
func getByID[Out any](c *gin.Context, what string, fetch func(context.Context, int64) (Out, error)) {
	id, err := pathID(c, "id", what)
	if err != nil {
		Error(c, err)
		return
	}
	out, err := fetch(c.Request.Context(), id)
	if err != nil {
		Error(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// changeByID answers a request that changes one record (PATCH, cancel, void):
// the id from the path, the body decoded, the change made, the record answered.
func changeByID[In, Out any](c *gin.Context, what string, call func(context.Context, models.Actor, int64, In) (Out, error)) {
	id, err := pathID(c, "id", what)
	if err != nil {
		Error(c, err)
		return
	}
	var in In
	if err := decode(c, &in); err != nil {
		Error(c, err)
		return
	}
	out, err := call(c.Request.Context(), actor(c), id, in)
	if err != nil {
		Error(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
