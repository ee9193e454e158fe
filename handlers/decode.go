package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
)

// MaxJSONDepth bounds how deeply a request body may nest.
const MaxJSONDepth = 16

// decode reads the request body into v: one JSON object, no duplicate keys,
// no unknown fields, nested at most MaxJSONDepth deep. Malformed JSON is 400
// invalid_json; a field of the wrong type or an unknown field is 422 naming it.
func decode(c *gin.Context, v any) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return models.Errorf(models.ETOOLARGE, "The request body is larger than %d bytes.", mbe.Limit)
		}
		return models.Errorf(models.EINVALIDJSON, "The request body could not be read.")
	}
	if err := CheckJSONObject(body); err != nil {
		return err
	}
	if nn, ok := v.(models.NotNull); ok && c.Request.Method == http.MethodPatch {
		if err := nullsRefused(body, nn.NotNull()); err != nil {
			return err
		}
	}
	err = decodeStrict(body, v)
	if e, ok := err.(*models.Error); ok && e.Code == models.EINVALID {
		// encoding/json stops at the first field of the wrong type or unknown:
		// decode each member on its own to name every one in one answer.
		if p := memberProblems(body, v); len(p) > 1 {
			return p.Err()
		}
	}
	return err
}

// decodeStrict decodes one JSON object into v, refusing unknown fields; a
// field of the wrong type or unknown is a validation error naming it.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				field = "body"
			}
			return models.FieldError(field, "must be "+typeName(te.Type.Kind().String()))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return models.FieldError(field, "is not a field of this request")
		default:
			return models.Errorf(models.EINVALIDJSON, "The request body is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	return nil
}

// memberProblems decodes each member of a body on its own into a fresh value
// of v's type and collects the field each one names at fault.
func memberProblems(body []byte, v any) models.Problems {
	p := models.Problems{}
	var members map[string]json.RawMessage
	t := reflect.TypeOf(v)
	if json.Unmarshal(body, &members) != nil || t.Kind() != reflect.Pointer {
		return p
	}
	for k, raw := range members {
		one, _ := json.Marshal(map[string]json.RawMessage{k: raw})
		if e, ok := decodeStrict(one, reflect.New(t.Elem()).Interface()).(*models.Error); ok {
			for f, problem := range e.Fields {
				p.Add(f, problem)
			}
		}
	}
	return p
}

// nullsRefused names every required field a PATCH body sets to null.
func nullsRefused(body []byte, required []string) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil // the decoder reports it
	}
	p := models.Problems{}
	for key, raw := range fields {
		for _, f := range required {
			// encoding/json matches keys without regard to case.
			if strings.EqualFold(key, f) && string(bytes.TrimSpace(raw)) == "null" {
				p.Add(f, "must not be null: leave it out to keep its value")
			}
		}
	}
	return p.Err()
}

func typeName(kind string) string {
	switch kind {
	case "int64", "int", "int32":
		return "a whole number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "ptr":
		return "a value of another type"
	}
	return "of another type"
}

// CheckJSONObject checks that b is exactly one JSON object, with no key twice
// in any object and nesting at most MaxJSONDepth deep.
func CheckJSONObject(b []byte) error {
	bad := func(msg string) error { return models.Errorf(models.EINVALIDJSON, "%s", msg) }
	if len(bytes.TrimSpace(b)) == 0 {
		return bad("The request body is empty: a JSON object is expected.")
	}
	if !utf8.Valid(b) {
		return bad("The request body is not valid UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	type frame struct {
		keys     map[string]bool
		isObject bool
		wantKey  bool
	}
	var stack []frame
	first := true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return bad("The request body is not valid JSON: " + strings.TrimPrefix(err.Error(), "json: "))
		}
		if first {
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				return bad("The request body must be a JSON object.")
			}
			first = false
		} else if len(stack) == 0 {
			return bad("The request body has data after its JSON object.")
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].isObject && stack[top].wantKey {
			if k, ok := tok.(string); ok {
				// encoding/json matches keys to fields case-insensitively: "amount"
				// and "AMOUNT" would both fill one field, so they are the same key.
				if stack[top].keys[foldKey(k)] {
					return bad("The request body has the key " + quote(k) + " twice.")
				}
				stack[top].keys[foldKey(k)] = true
				stack[top].wantKey = false
				continue
			}
		}
		if top >= 0 && stack[top].isObject {
			stack[top].wantKey = true // a value was read (or the object ends)
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if len(stack) >= MaxJSONDepth {
					return bad("The request body is nested too deeply.")
				}
				stack = append(stack, frame{keys: map[string]bool{}, isObject: d == '{', wantKey: d == '{'})
			case '}', ']':
				stack = stack[:len(stack)-1]
				if n := len(stack); n > 0 && stack[n-1].isObject {
					stack[n-1].wantKey = true
				}
			}
		}
	}
	if len(stack) > 0 { // json.Decoder.Token answers io.EOF inside an unclosed object
		return bad("The request body ends before its JSON object does.")
	}
	return nil
}

// foldKey maps every rune to the smallest of its Unicode simple case folds,
// so that two keys fold alike exactly when strings.EqualFold says they match.
func foldKey(k string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, k)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// idempotency reads the Idempotency-Key header and fingerprints the request
// as decoded, so that a retry of the same request matches its first answer.
func idempotency(c *gin.Context, decoded any) (models.Idempotency, error) {
	values, sent := c.Request.Header[http.CanonicalHeaderKey("Idempotency-Key")]
	if !sent {
		return models.Idempotency{}, nil
	}
	key := ""
	if len(values) == 1 {
		key = values[0]
	}
	if !validIdempotencyKey(key) {
		return models.Idempotency{}, models.FieldError("Idempotency-Key", "must be sent once, 1 to 200 printable ASCII characters")
	}
	b, err := json.Marshal(decoded)
	if err != nil {
		return models.Idempotency{}, err
	}
	h := sha256.New()
	h.Write([]byte(c.Request.Method + " " + c.FullPath() + "\n"))
	h.Write(b)
	return models.Idempotency{Key: key, Fingerprint: hex.EncodeToString(h.Sum(nil))}, nil
}

// validIdempotencyKey: 1 to 200 printable ASCII characters (space to tilde),
// the same bytes on either engine (PostgreSQL refuses other encodings' bytes).
func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > 200 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}
