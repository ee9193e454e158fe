package handlers

import (
	"strconv"
	"strings"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// pathID reads a numeric id from the path; anything else names nothing (404).
func pathID(c *gin.Context, name, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, models.Errorf(models.ENOTFOUND, "No %s with id %q.", what, c.Param(name))
	}
	return id, nil
}

// query reads optional query parameters, collecting problems per parameter.
type query struct {
	c *gin.Context
	p models.Problems
}

func newQuery(c *gin.Context) *query { return &query{c: c, p: models.Problems{}} }

func (q *query) id(name string) int64 {
	v := q.c.Query(name)
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		q.p.Add(name, "must be a positive whole number")
	}
	return id
}

func (q *query) date(name string) models.Date {
	v := q.c.Query(name)
	if v == "" {
		return ""
	}
	d, ok := models.ParseDate(v)
	if !ok {
		q.p.Add(name, "must be a date written YYYY-MM-DD")
	}
	return d
}

// dateRange reads ?from= and ?to=, inclusive days; to before from is a problem with to.
func (q *query) dateRange() (from, to models.Date) {
	from, to = q.date("from"), q.date("to")
	if from != "" && to != "" && to < from {
		q.p.Add("to", "must be on or after from")
	}
	return from, to
}

func (q *query) oneOf(name, def string, allowed []string) string {
	return models.OneOf(name, q.c.Query(name), def, allowed, q.p)
}

// optional reads a filter that takes one of allowed, "" when absent.
func (q *query) optional(name string, allowed []string) string {
	if q.c.Query(name) == "" {
		return ""
	}
	return q.oneOf(name, "", allowed)
}

// enum reads an optional parameter that takes one of the allowed words.
func (q *query) enum(name string, allowed []string) string {
	v := q.c.Query(name)
	if v == "" {
		return ""
	}
	return models.OneOf(name, v, "", allowed, q.p)
}

// bom reads ?bom=: 1 starts a CSV file with a byte order mark, 0 (the default) does not.
func (q *query) bom() bool { return q.enum("bom", []string{"0", "1"}) == "1" }

func (q *query) currency(name string) string {
	v := q.c.Query(name)
	if v == "" {
		return ""
	}
	return models.CurrencyCode(name, v, q.p)
}

func (q *query) page() models.PageRequest {
	pg, err := models.ParsePage(q.c.Query("limit"), q.c.Query("cursor"))
	if me, ok := err.(*models.Error); ok {
		for k, v := range me.Fields {
			q.p.Add(k, v)
		}
	}
	return pg
}

func (q *query) err() error { return q.p.Err() }

// flag reads a yes/no parameter: 1 or true, 0 or false, or absent.
func (q *query) flag(name string) bool {
	switch q.c.Query(name) {
	case "", "0", "false":
		return false
	case "1", "true":
		return true
	}
	q.p.Add(name, "must be 1 or 0")
	return false
}

// listFilter reads the filters the pledge and contribution lists share (issue 14).
func (q *query) listFilter() models.ListFilter {
	f := models.ListFilter{Query: strings.TrimSpace(q.c.Query("q")), Currency: q.currency("currency")}
	if len([]rune(f.Query)) > 200 {
		q.p.Add("q", "must be at most 200 characters")
	}
	f.Earmarking = q.optional("earmarking", models.Earmarkings)
	return f
}
