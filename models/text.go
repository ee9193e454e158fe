package models

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text validates a free-text field: trimmed, valid UTF-8, no control
// characters (tab and newline allowed when multiline), at most max characters.
//
// Control characters are looked for before trimming: strings.TrimSpace would
// silently drop a leading or trailing one (U+0085, a line feed in a one-line
// field) and store another text than the one sent.
func Text(field, value string, required bool, max int, multiline bool, p Problems) string {
	v := strings.TrimSpace(value)
	switch {
	case !utf8.ValidString(value):
		p.Add(field, "must be valid UTF-8 text")
	case hasControl(value, multiline):
		p.Add(field, "must not contain control characters")
	case required && v == "":
		p.Add(field, "is required")
	case utf8.RuneCountInString(v) > max:
		p.Add(field, "must be at most "+strconv.Itoa(max)+" characters")
	default:
		return v
	}
	return ""
}

func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t' || r == '\r') {
			continue
		}
		// Cc: C0/C1 controls; bidi overrides (U+202E) would let a name display
		// differently from what is stored. U+2028 and U+2029 break a line like
		// a line feed (and strings.TrimSpace drops them at either end).
		if unicode.Is(unicode.Cc, r) || isBidiControl(r) || (!multiline && (r == '\u2028' || r == '\u2029')) {
			return true
		}
	}
	return false
}

func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

var slug = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Slug validates a lowercase slug that cannot be mistaken for a numeric id.
func Slug(field, value string, p Problems) string {
	switch {
	case value == "":
		p.Add(field, "is required")
	case len(value) > 64:
		p.Add(field, "must be at most 64 characters")
	case !slug.MatchString(value) || strings.Trim(value, "0123456789-") == "":
		p.Add(field, "must be a lowercase slug of letters, digits and hyphens, with at least one letter (e.g. \"iom-resilience-fund\")")
	default:
		return value
	}
	return ""
}

// Email validates an e-mail address (optional unless required).
func Email(field, value string, required bool, p Problems) string {
	if hasControl(value, false) { // before trimming, as in Text
		p.Add(field, "must be an e-mail address such as name@example.org")
		return ""
	}
	v := strings.TrimSpace(value)
	if v == "" {
		if required {
			p.Add(field, "is required")
		}
		return ""
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || len(v) > 254 || hasControl(v, false) {
		p.Add(field, "must be an e-mail address such as name@example.org")
		return ""
	}
	return strings.ToLower(v)
}

// OneOf validates that value is one of the allowed words; def is used when empty.
func OneOf(field, value, def string, allowed []string, p Problems) string {
	if value == "" {
		if def == "" {
			p.Add(field, "is required (one of "+strings.Join(allowed, ", ")+")")
		}
		return def
	}
	for _, a := range allowed {
		if value == a {
			return value
		}
	}
	p.Add(field, "must be one of "+strings.Join(allowed, ", "))
	return ""
}

// CurrencyCode validates an ISO 4217 currency code in use.
func CurrencyCode(field, value string, p Problems) string {
	if value == "" {
		p.Add(field, "is required (an ISO 4217 code such as EUR)")
		return ""
	}
	c, ok := ParseCurrency(value)
	if !ok {
		p.Add(field, "is not a known ISO 4217 currency code")
	}
	return c
}

// Reason validates the reason given for a void or a cancellation.
func Reason(value string, p Problems) string {
	return Text("reason", value, true, 1000, true, p)
}
