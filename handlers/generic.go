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
