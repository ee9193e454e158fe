// Command testsummary runs `go test -json <args>` and prints what plain `go
// test` would (an "ok" line per package, the whole output of the tests that
// fail), then one closing line naming every test that was skipped and why,
// so that a suite skipped for want of a database or a tool is never silent.
// It exits with go test's status. `make test` runs it:
//
//	go run ./.ci/testsummary -race -count=1 ./...
//
// Hand-written rather than gotestsum: it is 150 lines of the standard
// library, needs no download in CI, and keeps go test's own output.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string // build-output events
	Test       string
	Output     string
}

type line struct{ test, text string }

func main() {
	cmd := exec.Command("go", append([]string{"test", "-json"}, os.Args[1:]...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	pending := map[string][]line{}    // package -> lines of its unfinished tests
	lastOutput := map[string]string{} // package/test -> its last line of its own
	skips := map[string][]string{}    // reason -> tests
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			fmt.Println(sc.Text()) // not an event: pass it through
			continue
		}
		switch {
		case e.Action == "build-output":
			fmt.Print(e.Output)
		case e.Test == "" && e.Action == "output":
			if e.Output != "PASS\n" {
				fmt.Print(e.Output)
			}
		case e.Test == "" && e.Action == "fail":
			// A package that failed without finishing its tests (a panic, a
			// timeout): show what its unfinished tests printed.
			for _, l := range pending[e.Package] {
				fmt.Print(l.text)
			}
			delete(pending, e.Package)
		case e.Test == "":
		case e.Action == "output":
			if !strings.HasPrefix(e.Output, "=== ") {
				pending[e.Package] = append(pending[e.Package], line{e.Test, e.Output})
				if t := strings.TrimSpace(e.Output); t != "" && !strings.HasPrefix(t, "--- ") {
					lastOutput[e.Package+"/"+e.Test] = t
				}
			}
		case e.Action == "skip" || e.Action == "pass" || e.Action == "fail":
			if e.Action == "skip" {
				reason := skipReason(lastOutput[e.Package+"/"+e.Test])
				skips[reason] = append(skips[reason], shortPackage(e.Package)+"."+e.Test)
			}
			if strings.Contains(e.Test, "/") {
				continue // a subtest: printed (or not) with its top-level test
			}
			var keep []line
			for _, l := range pending[e.Package] {
				if l.test == e.Test || strings.HasPrefix(l.test, e.Test+"/") {
					if e.Action == "fail" {
						fmt.Print(l.text)
					}
				} else {
					keep = append(keep, l)
				}
			}
			pending[e.Package] = keep
		}
	}
	err = cmd.Wait()
	fmt.Println(summary(skips))
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	} else if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

var location = regexp.MustCompile(`^[\w.-]+\.go:\d+: `)

// skipReason is the message a test gave t.Skip, without its file:line.
func skipReason(last string) string {
	r := location.ReplaceAllString(last, "")
	r = strings.TrimPrefix(r, "skipping: ")
	if r == "" {
		return "no reason given"
	}
	return r
}

func shortPackage(p string) string {
	return strings.TrimPrefix(p, "github.com/fundtracker/fundtracker/")
}

// summary is the closing line: every reason tests were skipped for, with
// how many and which, or that none was.
func summary(skips map[string][]string) string {
	if len(skips) == 0 {
		return "make test: no test was skipped"
	}
	reasons := make([]string, 0, len(skips))
	for r := range skips {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		tests := skips[r]
		sort.Strings(tests)
		names := strings.Join(tests, ", ")
		if len(tests) > 3 {
			names = strings.Join(tests[:3], ", ") + fmt.Sprintf(" and %d more", len(tests)-3)
		}
		if !strings.Contains(strings.ToLower(r), "skip") {
			r = "skipped: " + r
		}
		parts[i] = fmt.Sprintf("%s (%d %s: %s)", r, len(tests), plural(len(tests), "test", "tests"), names)
	}
	return "make test: " + strings.Join(parts, "; ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
