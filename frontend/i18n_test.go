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
		for key, text := range en {
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
			if _, ok := en[key]; !ok {
				t.Errorf("i18n/%s.json: key %q is not in en.json", lang, key)
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
