package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	adminEmail    = "bench-admin@example.org"
	adminPassword = "bench-admin-password"
	staffEmail    = "bench-staff@example.org"
	staffPassword = "bench-staff-password"
)

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// server is a running `fundtracker serve` process.
type server struct {
	cmd  *exec.Cmd
	base string
	log  *os.File
}

// startServer runs the real binary on a free loopback port over the ledger
// at dbPath, and waits until /healthz answers.
func startServer(ctx context.Context, bin, dbPath, logPath string) (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "FUNDTRACKER_DB="+dbPath, "FUNDTRACKER_ADDR="+addr,
		"FUNDTRACKER_ADMIN_EMAIL="+adminEmail, "FUNDTRACKER_ADMIN_PASSWORD="+adminPassword)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s := &server{cmd: cmd, base: "http://" + addr, log: logf}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("server did not answer /healthz within 60s (log: %s)", logPath)
}

// stop ends the server gracefully (SIGTERM) and waits for it.
func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	s.log.Close()
}

// status reads a field (in kB) of the server's /proc/<pid>/status.
func (s *server) status(field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// procIO reads a counter of /proc/<pid>/io ("self" for this process):
// wchar counts the bytes handed to write and pwrite.
func procIO(pid, field string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
			return n
		}
	}
	return 0
}

func (s *server) pid() string { return strconv.Itoa(s.cmd.Process.Pid) }

// resetPeak resets the server's VmHWM to its current RSS (Linux clear_refs 5).
func (s *server) resetPeak() {
	os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.cmd.Process.Pid), []byte("5"), 0)
}

// rssSampler samples the server's VmRSS until stopped and answers the peak
// seen, or VmHWM if higher.
func (s *server) rssSampler() (stop func() (peakMB float64)) {
	var mu sync.Mutex
	var peak int64
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			v := s.status("VmRSS")
			mu.Lock()
			peak = max(peak, v)
			mu.Unlock()
			select {
			case <-quit:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(quit)
		<-done
		return float64(max(peak, s.status("VmHWM"))) / 1024
	}
}

// client is a keep-alive HTTP client for one or more connections.
func client(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		IdleConnTimeout: time.Minute, DisableCompression: true}, Timeout: 10 * time.Minute}
}

// call sends a request and decodes a JSON answer into out (when not nil),
// failing unless the status is want.
func call(c *http.Client, method, url, token string, body any, want int, out any, header ...string) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, url, resp.StatusCode, want, b)
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// staffToken signs in as the admin, creates a staff user (once), and answers
// the staff user's bearer token.
func (s *server) staffToken() (string, error) {
	c := client(1)
	login := func(email, password string) (string, error) {
		var out struct{ Token string }
		err := call(c, "POST", s.base+"/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, 200, &out)
		return out.Token, err
	}
	if tok, err := login(staffEmail, staffPassword); err == nil {
		return tok, nil
	}
	admin, err := login(adminEmail, adminPassword)
	if err != nil {
		return "", err
	}
	if err := call(c, "POST", s.base+"/api/v1/users", admin,
		map[string]string{"email": staffEmail, "password": staffPassword, "role": "staff"}, 201, nil); err != nil {
		return "", err
	}
	tok, err := login(staffEmail, staffPassword)
	if tok == "" && err == nil {
		err = errors.New("login answered no token")
	}
	return tok, err
}
