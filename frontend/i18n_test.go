package frontend_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/frontend"
)

// Keys the pages use literally: {{t "key"}} in the templates, t('key') in the scripts, and
// the ['key', ...] column specs of the staff console.
var keyUses = []*regexp.Regexp{
	regexp.MustCompile(`\{\{\s*t\s+"([^"]+)"\s*\}\}`),
	regexp.MustCompile(`\bt\(\s*['"]([^'"]+)['"]`),
	regexp.MustCompile(`\[\s*'((?:staff|fund|common)\.[a-z_.]+)',`),
}

// Counted texts: tn('key', n, ...) uses "key.one", "key.other"... (en.json must have "key.other").
var pluralUse = regexp.MustCompile(`\btn\(\s*['"]([^'"]+)['"]`)

// Values of the API's enumerations (issue 3) that the pages translate through tEnum.
var enumerations = map[string][]string{
	"kind":       {"government", "multilateral", "private_sector", "foundation", "ngo", "individual", "other"},
	"stage":      {"pledge", "commitment"},
	"earmarking": {"unearmarked", "softly_earmarked", "earmarked"},
	"status":     {"open", "partially_paid", "fulfilled", "overdue", "written_off", "cancelled"},
	"role":       {"admin", "staff", "fund_manager", "viewer", "auditor"},
	// Issue 11: instalment statuses, ageing buckets, reminder statuses and kinds.
	"instalment":    {"scheduled", "partially_paid", "paid", "overdue", "written_off", "cancelled"},
	"bucket":        {"current", "1-30", "31-90", "91-180", "over_180"},
	"reminder":      {"pending", "sent", "failed", "skipped"},
	"reminder.kind": {"upcoming", "overdue"},
	"language":      {"en", "fr", "ar"}, // donor languages, each named in its own language
}

// Keys built at run time from a list the scripts hold (staff.tab.${name}).
var builtKeys = []string{"staff.tab.pledges", "staff.tab.contributions", "staff.tab.donors", "staff.tab.rates"}

func TestTranslationsComplete(t *testing.T) {
	en, err := frontend.Dictionary("en")
	if err != nil {
		t.Fatal(err)
	}
	placeholder := regexp.MustCompile(`\{\w+\}`)
	for _, lang := range frontend.Languages {
		dict, err := frontend.Dictionary(lang)
		if err != nil {
			t.Fatal(err)
		}
		checkPluralForms(t, lang, en, dict)
		for key, text := range en {
			if _, plural := pluralBase(key, en); plural {
				continue // checkPluralForms: each language has its own forms
			}
			got, ok := dict[key]
			switch {
			case !ok:
				t.Errorf("i18n/%s.json: missing key %q", lang, key)
			case strings.TrimSpace(got) == "":
				t.Errorf("i18n/%s.json: empty text for %q", lang, key)
			case !samePlaceholders(placeholder.FindAllString(text, -1), placeholder.FindAllString(got, -1)):
				t.Errorf("i18n/%s.json: %q has placeholders %v, en has %v", lang, key,
					placeholder.FindAllString(got, -1), placeholder.FindAllString(text, -1))
			}
		}
		for key := range dict {
			if _, plural := pluralBase(key, en); plural {
				continue
			}
			if _, ok := en[key]; !ok {
				t.Errorf("i18n/%s.json: key %q is not in en.json", lang, key)
			}
		}
	}
}

// pluralForms are the CLDR plural categories (Intl.PluralRules) each language's texts that
// count something must give, as "key.<category>": tn() in i18n.js picks one by the count
// and falls back to "key.other".
var pluralForms = map[string][]string{
	"en": {"one", "other"},
	"fr": {"one", "other"},
	"ar": {"zero", "one", "two", "few", "many", "other"},
}

var pluralCategory = regexp.MustCompile(`^(.+)\.(zero|one|two|few|many|other)$`)

// pluralBase answers the counted text a key is a form of ("inst.sum" for "inst.sum.few"):
// one whose "one" and "other" forms en.json has (so "kind.other", an enumeration value, is not).
func pluralBase(key string, en map[string]string) (string, bool) {
	m := pluralCategory.FindStringSubmatch(key)
	if m == nil {
		return "", false
	}
	_, one := en[m[1]+".one"]
	_, other := en[m[1]+".other"]
	return m[1], one && other
}

// checkPluralForms: every counted text of en.json ("key.other") has, in lang, each form
// the language needs and no other; each form uses only the placeholders of en's "other"
// (Arabic "one" and "two" may leave the count out: "شهر واحد", "شهران"), and "other" all of them.
func checkPluralForms(t *testing.T, lang string, en, dict map[string]string) {
	t.Helper()
	placeholder := regexp.MustCompile(`\{\w+\}`)
	bases := map[string]bool{}
	for key := range en {
		if base, ok := pluralBase(key, en); ok {
			bases[base] = true
		}
	}
	for key := range dict {
		if m := pluralCategory.FindStringSubmatch(key); m != nil && m[2] != "other" && !bases[m[1]] {
			t.Errorf("i18n/%s.json: plural form %q of a text en.json does not count", lang, key)
		}
	}
	for base := range bases {
		want := placeholder.FindAllString(en[base+".other"], -1)
		allowed := map[string]bool{}
		for _, p := range want {
			allowed[p] = true
		}
		forms := map[string]bool{}
		for _, form := range pluralForms[lang] {
			forms[form] = true
			text, ok := dict[base+"."+form]
			switch {
			case !ok:
				t.Errorf("i18n/%s.json: %q needs its %q form", lang, base, form)
				continue
			case strings.TrimSpace(text) == "":
				t.Errorf("i18n/%s.json: empty text for %q", lang, base+"."+form)
			}
			got := placeholder.FindAllString(text, -1)
			for _, p := range got {
				if !allowed[p] {
					t.Errorf("i18n/%s.json: %q has placeholder %s, which en's other form has not", lang, base+"."+form, p)
				}
			}
			if form == "other" && !samePlaceholders(got, want) {
				t.Errorf("i18n/%s.json: %q has placeholders %v, en has %v", lang, base+".other", got, want)
			}
		}
		for key := range dict {
			if b, ok := pluralBase(key, en); ok && b == base && !forms[strings.TrimPrefix(key, base+".")] {
				t.Errorf("i18n/%s.json: %q is not a plural form %s uses", lang, key, lang)
			}
		}
	}
}

func samePlaceholders(a, b []string) bool {
	sort.Strings(a)
	sort.Strings(b)
	return strings.Join(a, ",") == strings.Join(b, ",")
}

func TestUsedKeysExist(t *testing.T) {
	en, err := frontend.Dictionary("en")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]string{}
	err = filepath.WalkDir("static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, filepath.Join("static", "vendor")) {
			return err
		}
		if ext := filepath.Ext(p); ext != ".html" && ext != ".js" {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, re := range keyUses {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				used[m[1]] = p
			}
		}
		for _, m := range pluralUse.FindAllStringSubmatch(string(src), -1) {
			used[m[1]+".other"] = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 50 {
		t.Fatalf("found only %d translation keys in the pages: is the key pattern still right?", len(used))
	}
	for group, values := range enumerations {
		for _, v := range values {
			used[group+"."+v] = "the API's enumerations"
		}
	}
	for _, k := range builtKeys {
		used[k] = "static/js/staff.js"
	}
	for key, where := range used {
		if en[key] == "" {
			t.Errorf("%s uses translation key %q, which en.json does not have", where, key)
		}
	}
}
