package models

import (
	"slices"
	"testing"
)

// Every header of every language maps to its own field in every kind that
// has the field, and no two fields of a kind share a folded header.
func TestImportHeaderLabelsMapToTheirFields(t *testing.T) {
	for kind := range importFields {
		owner := map[string]string{}
		own := importReadFields(kind)
		for _, f := range own {
			if NormalizeHeader(ImportHeader(f, "en")) != f {
				t.Errorf("the English header %q of %s does not fold to the field's name", ImportHeader(f, "en"), f)
			}
			for _, lang := range Languages {
				labels := importHeaderLabels[lang][f]
				if len(labels) == 0 {
					t.Errorf("%s: no %s header for %s", kind, lang, f)
				}
				for _, l := range labels {
					folded := NormalizeHeader(l)
					if o, ok := owner[folded]; ok && o != f {
						t.Errorf("%s: the header %q (%s) names both %s and %s", kind, l, lang, o, f)
					}
					owner[folded] = f
					got, err := MapColumns(kind, []string{l}, nil)
					if err != nil || got[0] != f {
						t.Errorf("%s: the %s header %q maps to %q (%v), want %s", kind, lang, l, got, err, f)
					}
				}
			}
		}
		for _, f := range importTemplateColumns[kind] {
			if !slices.Contains(own, f) {
				t.Errorf("%s: the template column %s is not a field of the kind", kind, f)
			}
		}
	}
	// Case, accents and Arabic hamza do not matter.
	for kind, h := range map[string]string{ImportContributions: "RECU LE", ImportPledges: "echeance", ImportDonors: "البريد الالكتروني للتواصل"} {
		if got, err := MapColumns(kind, []string{h}, nil); err != nil || got[0] == "" {
			t.Errorf("%s: %q maps to nothing (%v)", kind, h, err)
		}
	}
}
