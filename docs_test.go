package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/api"
	"github.com/gin-gonic/gin"
)

// TestDocsLinks: every relative link (and image) in README.md and docs/*.md
// points at a file that exists, and a link to a heading of a Markdown file
// (file.md#heading, or #heading) finds that heading.
func TestDocsLinks(t *testing.T) {
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append([]string{"README.md"}, files...)
	checked := 0
	for _, f := range files {
		problems, n := brokenLinks(f)
		checked += n
		for _, p := range problems {
			t.Errorf("%s: %s", f, p)
		}
	}
	if checked < 10 {
		t.Errorf("only %d relative links found: the link parser is broken", checked)
	}
	t.Logf("%d relative links checked in %d files", checked, len(files))
}

// TestDocsLinksCatchesBrokenOnes: the checker itself finds a missing file, a
// missing heading and a broken image, and passes good links.
func TestDocsLinksCatchesBrokenOnes(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "docs"), 0o755)
	os.WriteFile(filepath.Join(dir, "docs", "ops.md"), []byte("# Operations\n\n## Backups and restores\n"), 0o644)
	doc := "# Guide\n\n[ok](docs/ops.md) [ok2](docs/ops.md#backups-and-restores) [self](#guide) [web](https://example.org/x)\n" +
		"[missing](docs/nginx.conf) ![img](docs/img/none.png) [bad anchor](docs/ops.md#upgrades)\n" +
		"```\n[in code](not/checked.md)\n```\n"
	readme := filepath.Join(dir, "README.md")
	os.WriteFile(readme, []byte(doc), 0o644)
	problems, n := brokenLinks(readme)
	if n != 6 {
		t.Errorf("%d relative links found, want 6", n)
	}
	want := []string{"docs/nginx.conf", "docs/img/none.png", "docs/ops.md#upgrades"}
	if len(problems) != len(want) {
		t.Fatalf("problems %q, want one for each of %q", problems, want)
	}
	for i, w := range want {
		if !strings.Contains(problems[i], w) {
			t.Errorf("problem %q does not name %s", problems[i], w)
		}
	}
}

var (
	mdLink    = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	refLink   = regexp.MustCompile(`(?m)^\s*\[[^\]]+\]:\s+(\S+)`)
	heading   = regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*#*\s*$`)
	notSlug   = regexp.MustCompile(`[^\p{L}\p{N}\- _]`)
	hasScheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// brokenLinks lists the relative links of a Markdown file that point at
// nothing, and counts the relative links it checked. Fenced code is skipped.
func brokenLinks(path string) (problems []string, checked int) {
	b, err := os.ReadFile(path)
	if err != nil {
		return []string{err.Error()}, 0
	}
	text := stripFences(string(b))
	var targets []string
	for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
		targets = append(targets, m[1])
	}
	for _, m := range refLink.FindAllStringSubmatch(text, -1) {
		targets = append(targets, m[1])
	}
	for _, target := range targets {
		if hasScheme.MatchString(target) {
			continue
		}
		checked++
		file, anchor, _ := strings.Cut(target, "#")
		resolved := path
		if file != "" {
			resolved = filepath.Join(filepath.Dir(path), file)
			if _, err := os.Stat(resolved); err != nil {
				problems = append(problems, "broken link "+target+": no file "+resolved)
				continue
			}
		}
		if anchor != "" && strings.HasSuffix(resolved, ".md") && !hasHeading(resolved, anchor) {
			problems = append(problems, "broken link "+target+": no heading #"+anchor+" in "+resolved)
		}
	}
	return problems, checked
}

func stripFences(s string) string {
	var out []string
	in := false
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			in = !in
			continue
		}
		if !in {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// hasHeading reports whether a Markdown file has a heading whose GitHub
// anchor is anchor (lower case, punctuation dropped, spaces as hyphens).
func hasHeading(path, anchor string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	for _, m := range heading.FindAllStringSubmatch(stripFences(string(b)), -1) {
		slug := strings.ToLower(notSlug.ReplaceAllString(m[1], ""))
		if strings.ReplaceAll(slug, " ", "-") == anchor {
			return true
		}
	}
	return false
}

// TestMakeHelpListsEveryTarget: `make help` lists exactly the Makefile's
// targets (every one, none that is gone), each with what it does, and no
// variable left unexpanded; every .PHONY name is a target.
func TestMakeHelpListsEveryTarget(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	b, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([a-zA-Z][a-zA-Z0-9_-]*):`).FindAllStringSubmatch(string(b), -1) {
		targets[m[1]] = true
	}
	if m := regexp.MustCompile(`(?m)^\.PHONY:(.*)$`).FindStringSubmatch(string(b)); m != nil {
		for _, p := range strings.Fields(m[1]) {
			if !targets[p] {
				t.Errorf(".PHONY names %s, which is not a target", p)
			}
		}
	}
	out, err := exec.Command("make", "--no-print-directory", "help").Output()
	if err != nil {
		t.Fatalf("make help: %v", err)
	}
	listed := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			t.Errorf("make help line without a description: %q", l)
			continue
		}
		listed[f[0]] = true
		if !targets[f[0]] {
			t.Errorf("make help lists %s, which is not a target", f[0])
		}
		if strings.Contains(l, "$(") {
			t.Errorf("make help leaves a variable unexpanded: %q", l)
		}
	}
	for name := range targets {
		if !listed[name] {
			t.Errorf("target %s is missing from make help (give it a ## description)", name)
		}
	}
}

// TestAPIDocListsEveryRoute: docs/api.md has a table row for every route of
// the router (api/api.go routes()), written `METHOD /path` with each :param
// or *param as {param}, whose Who column is the route's level in routeAccess
// (api/access_test.go, the authoritative table); and no row for a route
// that is gone.
func TestAPIDocListsEveryRoute(t *testing.T) {
	b, err := os.ReadFile("docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := apiDocRoutes(string(b)) // "GET /api/v1/funds/{fund}" -> who
	levels := routeAccessLevels(t)        // "GET /api/v1/funds/:fund" -> lvPublic
	docName := map[string]string{"lvPublic": "public", "lvSignedIn": "signed-in", "lvRead": "read",
		"lvShared": "write", "lvFund": "fund-write", "lvStaff": "staff", "lvAudit": "audit", "lvAdmin": "admin", "lvMetrics": "metrics token"}

	routed := map[string]bool{}
	for _, r := range api.New(api.Config{}, nil).(*gin.Engine).Routes() {
		key := r.Method + " " + docPath(r.Path)
		routed[key] = true
		who, ok := documented[key]
		if !ok {
			t.Errorf("docs/api.md has no row for %s (write it `%s` in the Route column)", r.Method+" "+r.Path, key)
			continue
		}
		level, ok := levels[r.Method+" "+r.Path]
		if !ok {
			t.Errorf("%s has no entry in routeAccess (api/access_test.go)", key)
			continue
		}
		if want := docName[level]; who != want {
			t.Errorf("docs/api.md says %s is %q; routeAccess says %s, written %q", key, who, level, want)
		}
	}
	var stale []string
	for key := range documented {
		if !routed[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	for _, key := range stale {
		t.Errorf("docs/api.md lists %s, which the router does not answer", key)
	}
	if len(routed) < 50 {
		t.Errorf("only %d routes found: the router walk is broken", len(routed))
	}
	t.Logf("%d routes checked against docs/api.md", len(routed))
}

var (
	docRouteRow = regexp.MustCompile("(?m)^\\|\\s*`(GET|POST|PUT|PATCH|DELETE) (/[^`\\s]*)`\\s*\\|\\s*([^|]+?)\\s*\\|")
	pathParam   = regexp.MustCompile(`[:*]([A-Za-z_][A-Za-z0-9_]*)`)
	accessEntry = regexp.MustCompile(`"((?:GET|POST|PUT|PATCH|DELETE) /[^"]*)":\s*(lv[A-Za-z]+)`)
)

// apiDocRoutes reads the route tables of docs/api.md: rows whose first cell
// is `METHOD /path`, with the Who cell that follows.
func apiDocRoutes(doc string) map[string]string {
	out := map[string]string{}
	for _, m := range docRouteRow.FindAllStringSubmatch(stripFences(doc), -1) {
		out[m[1]+" "+m[2]] = m[3]
	}
	return out
}

// docPath writes a gin path as the docs do: /pledges/:id -> /pledges/{id}.
func docPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

// routeAccessLevels reads routeAccess from api/access_test.go (a test file
// of another package, so read as text): "METHOD /gin/path" -> lv constant.
func routeAccessLevels(t *testing.T) map[string]string {
	b, err := os.ReadFile("api/access_test.go")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	start := strings.Index(src, "var routeAccess = map[string]string{")
	if start < 0 {
		t.Fatal("api/access_test.go: routeAccess not found")
	}
	end := strings.Index(src[start:], "\n}\n")
	out := map[string]string{}
	for _, m := range accessEntry.FindAllStringSubmatch(src[start:start+end], -1) {
		out[m[1]] = m[2]
	}
	if len(out) < 50 {
		t.Fatalf("only %d routeAccess entries read: the parser is broken", len(out))
	}
	return out
}

// TestAPIDocRoutesCatchesGaps: the row reader finds routes and levels, and
// skips rows that are not routes and fenced code.
func TestAPIDocRoutesCatchesGaps(t *testing.T) {
	doc := "| Route | Who | What |\n| --- | --- | --- |\n" +
		"| `GET /api/v1/funds/{fund}` | public | One fund |\n" +
		"| `PUT /api/v1/pledges/{id}/schedule` | fund-write | Replace |\n" +
		"| 401 | `unauthorized` | not a route |\n" +
		"```\n| `DELETE /gone` | admin | in code |\n```\n"
	got := apiDocRoutes(doc)
	want := map[string]string{"GET /api/v1/funds/{fund}": "public", "PUT /api/v1/pledges/{id}/schedule": "fund-write"}
	if len(got) != len(want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if p := docPath("/static/*path"); p != "/static/{path}" {
		t.Errorf("docPath: %s", p)
	}
	if p := docPath("/api/v1/pledges/:id/write-off"); p != "/api/v1/pledges/{id}/write-off" {
		t.Errorf("docPath: %s", p)
	}
}
