package models

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold is text as search and duplicate detection compare it: lower case,
// decomposed (NFD), with combining accents (U+0300–U+036F) and Arabic vowel
// marks (U+064B–U+065F, U+0670) removed, so that "ÉCOLE" finds "école" and
// "مُحَمَّد" finds "محمد". PostgreSQL runs the same steps in ft_fold
// (store/migrations/postgres/00006_console.sql); SQLite calls this function.
func Fold(s string) string {
	return strings.Map(func(r rune) rune {
		if isFoldedMark(r) {
			return -1
		}
		return r
	}, norm.NFD.String(strings.ToLower(s)))
}

func isFoldedMark(r rune) bool {
	return (r >= 0x0300 && r <= 0x036F) || (r >= 0x064B && r <= 0x065F) || r == 0x0670
}

// NameKey is a donor's name as duplicates are found: folded (case and
// accents ignored) and without any space, so that "Kingdom of  Morocco",
// "kingdom of morocco" and "Kingdom of Moroccó" are one name.
func NameKey(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, Fold(name))
}
