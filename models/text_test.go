package models

import (
	"strings"
	"testing"
)

// Control characters are looked for before trimming: one at either end is
// refused, not trimmed away; ordinary spaces are still trimmed.
func TestTextChecksControlsBeforeTrimming(t *testing.T) {
	for _, c := range []struct {
		in        string
		multiline bool
		want      string
		ok        bool
	}{
		{"Name\u0085", false, "", false},
		{"\u0085Name", false, "", false},
		{"Name\n", false, "", false},
		{"\tName", false, "", false},
		{"Na\u202eme", false, "", false},
		{"  Name  ", false, "Name", true},
		{"Name\u00a0", false, "Name", true}, // no-break space is a space, not a control
		{"line one\nline two\n", true, "line one\nline two", true},
		{"notes\u0085", true, "", false},
		{"Name\u2028", false, "", false}, // a line separator in a one-line field, not trimmed away
		{"Na\u2029me", false, "", false},
	} {
		p := Problems{}
		got := Text("f", c.in, true, 100, c.multiline, p)
		if ok := len(p) == 0; ok != c.ok || got != c.want {
			t.Errorf("Text(%q, multiline %v) = %q, problems %v; want %q ok=%v", c.in, c.multiline, got, p, c.want, c.ok)
		}
	}
	p := Problems{}
	if Email("email", "a@example.org\u0085", true, p) != "" || p["email"] == "" {
		t.Errorf("an e-mail with a trailing NEL was taken: %v", p)
	}
}

// Passwords: 12 to 256 characters, counted as characters, not bytes.
func TestPasswordLength(t *testing.T) {
	for _, c := range []struct {
		pw string
		ok bool
	}{
		{strings.Repeat("a", 11), false},
		{strings.Repeat("a", 12), true},
		{strings.Repeat("a", 256), true},
		{strings.Repeat("a", 257), false},
		{strings.Repeat("ص", 256), true}, // 512 bytes
		{strings.Repeat("ص", 257), false},
		{"twelve chars\xff", false},
	} {
		p := Problems{}
		if got := Password("password", c.pw, p); (got != "") != c.ok {
			t.Errorf("Password(%d bytes, %d runes) ok=%v, want %v: %v", len(c.pw), len([]rune(c.pw)), got != "", c.ok, p)
		}
	}
}
