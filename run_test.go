package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMakeRunPrintsWorkingAddresses runs `make run` as a new user would (on
// a free port, with a fresh database) and follows every address its banner
// prints: each must answer 200. The banner must give the demo sign-in,
// marked as local-only, and say how to stop; by default `make run` listens
// on 127.0.0.1 only.
func TestMakeRunPrintsWorkingAddresses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server: not in -short")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	dry, err := exec.Command("make", "-n", "run").Output()
	if err != nil {
		t.Fatalf("make -n run: %v", err)
	}
	if !strings.Contains(string(dry), "FUNDTRACKER_ADDR=127.0.0.1:8080") {
		t.Errorf("make run does not default to 127.0.0.1:8080:\n%s", dry)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command("make", "run", "ADDR="+addr, "DB="+filepath.Join(t.TempDir(), "demo.db"))
	cmd.Env = append(os.Environ(), "FUNDTRACKER_LOG_FORMAT=json")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})

	// Read the banner: it ends with how to stop.
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout)
	}()
	var banner []string
	timeout := time.After(4 * time.Minute) // a fresh clone builds first
read:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("make run ended before its banner:\n%s\n%s", strings.Join(banner, "\n"), stderr.String())
			}
			banner = append(banner, l)
			if strings.Contains(l, "Ctrl-C") {
				break read
			}
		case <-timeout:
			t.Fatalf("no banner after 4 minutes:\n%s\n%s", strings.Join(banner, "\n"), stderr.String())
		}
	}
	text := strings.Join(banner, "\n")
	t.Logf("banner:\n%s", text)
	for _, want := range []string{"admin@example.org", "demo-admin-password", "local-only demo credentials", "Ctrl-C"} {
		if !strings.Contains(text, want) {
			t.Errorf("the banner does not say %q", want)
		}
	}
	urls := regexp.MustCompile(`http://\S+`).FindAllString(text, -1)
	wantPaths := map[string]bool{"/": false, "/funds/iom-resilience-fund": false, "/staff": false, "/api/openapi.yaml": false}
	for _, u := range urls {
		if !strings.HasPrefix(u, "http://"+addr+"/") {
			t.Errorf("address %s is not on %s", u, addr)
			continue
		}
		wantPaths[strings.TrimPrefix(u, "http://"+addr)] = true
		resp, err := http.Get(u)
		if err != nil {
			t.Errorf("GET %s: %v", u, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", u, resp.StatusCode)
		}
	}
	for p, seen := range wantPaths {
		if !seen {
			t.Errorf("the banner gives no address for %s", p)
		}
	}
	// serve's start line names the address, the engine and the first admin.
	if !regexp.MustCompile(`"msg":"fundtracker serving".*"addr":"` + regexp.QuoteMeta(addr) + `".*"engine":"sqlite".*"first_admin_created":true`).MatchString(stderr.String()) {
		t.Errorf("no start line naming the address, the engine and the first admin in:\n%s", stderr.String())
	}
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
