package main

import (
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestConfigNamesTheVariableAtFault: a value that does not parse stops the
// command with a message naming each variable at fault (all of them at
// once); good values and the defaults parse.
func TestConfigNamesTheVariableAtFault(t *testing.T) {
	bad := []struct {
		env  []string
		want []string // every variable the message must name
	}{
		{[]string{"FUNDTRACKER_DB_MAX_OPEN_CONNS=abc"}, []string{"FUNDTRACKER_DB_MAX_OPEN_CONNS", `"abc"`}},
		{[]string{"FUNDTRACKER_DB_MAX_IDLE_CONNS=1.5"}, []string{"FUNDTRACKER_DB_MAX_IDLE_CONNS"}},
		{[]string{"FUNDTRACKER_DB_MAX_OPEN_CONNS=-3"}, []string{"FUNDTRACKER_DB_MAX_OPEN_CONNS"}},
		{[]string{"FUNDTRACKER_SECURE_COOKIES=yes"}, []string{"FUNDTRACKER_SECURE_COOKIES", `"yes"`}},
		{[]string{"FUNDTRACKER_EMBED_ORIGINS=https://ok.example https://x.example;script-src"}, []string{"FUNDTRACKER_EMBED_ORIGINS", "script-src"}},
		{[]string{"FUNDTRACKER_TRUSTED_PROXIES=10.0.0.1,not-a-proxy"}, []string{"FUNDTRACKER_TRUSTED_PROXIES", "not-a-proxy"}},
		{[]string{"FUNDTRACKER_TRUSTED_PROXIES=10.0.0.0/33"}, []string{"FUNDTRACKER_TRUSTED_PROXIES", "10.0.0.0/33"}},
		{[]string{"FUNDTRACKER_DB_CONN_MAX_LIFETIME=5 minutes"}, []string{"FUNDTRACKER_DB_CONN_MAX_LIFETIME"}},
		{[]string{"FUNDTRACKER_LOG_LEVEL=loud"}, []string{"FUNDTRACKER_LOG_LEVEL"}},
		{[]string{"FUNDTRACKER_LOG_FORMAT=xml"}, []string{"FUNDTRACKER_LOG_FORMAT"}},
		{[]string{"FUNDTRACKER_SQLITE_SYNCHRONOUS=sometimes"}, []string{"FUNDTRACKER_SQLITE_SYNCHRONOUS"}},
		{[]string{"FUNDTRACKER_RATE_STALE_DAYS=45,EUR=soon"}, []string{"FUNDTRACKER_RATE_STALE_DAYS", "EUR=soon"}},
		{[]string{"FUNDTRACKER_RATE_STALE_DAYS=0"}, []string{"FUNDTRACKER_RATE_STALE_DAYS"}},
		{[]string{"FUNDTRACKER_REMINDERS=sometimes"}, []string{"FUNDTRACKER_REMINDERS", "sometimes"}},
		{[]string{"FUNDTRACKER_SMTP_URL=smtp://mail.example.org:587"}, []string{"FUNDTRACKER_MAIL_FROM"}},
		{[]string{"FUNDTRACKER_MAIL_FROM=funds@example.org"}, []string{"FUNDTRACKER_SMTP_URL"}},
		{[]string{"FUNDTRACKER_SMTP_URL=http://u:secret@mail.example.org", "FUNDTRACKER_MAIL_FROM=funds@example.org"}, []string{"FUNDTRACKER_SMTP_URL", "xxxxx"}},
		{[]string{"FUNDTRACKER_SMTP_URL=smtp://mail.example.org:99999", "FUNDTRACKER_MAIL_FROM=funds@example.org"}, []string{"FUNDTRACKER_SMTP_URL"}},
		{[]string{"FUNDTRACKER_SMTP_URL=smtp://mail.example.org", "FUNDTRACKER_MAIL_FROM=not an address"}, []string{"FUNDTRACKER_MAIL_FROM"}},
		{[]string{"FUNDTRACKER_DB_MAX_OPEN_CONNS=abc", "FUNDTRACKER_SECURE_COOKIES=yes", "FUNDTRACKER_TRUSTED_PROXIES=::1,proxy.local"},
			[]string{"FUNDTRACKER_DB_MAX_OPEN_CONNS", "FUNDTRACKER_SECURE_COOKIES", "FUNDTRACKER_TRUSTED_PROXIES"}},
	}
	for _, c := range bad {
		t.Run(strings.Join(c.env, " "), func(t *testing.T) {
			_, err := loadConfig(c.env)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q does not name %s", err, w)
				}
			}
		})
	}

	cfg, err := loadConfig([]string{"PATH=/bin", "FUNDTRACKER_DB_MAX_OPEN_CONNS=12", "FUNDTRACKER_SECURE_COOKIES=true",
		"FUNDTRACKER_TRUSTED_PROXIES=10.0.0.0/8, 192.0.2.7,::1", "FUNDTRACKER_DB_CONN_MAX_LIFETIME=30m",
		"FUNDTRACKER_LOG_LEVEL=warn", "FUNDTRACKER_LOG_FORMAT=json", "FUNDTRACKER_SQLITE_SYNCHRONOUS=normal",
		"FUNDTRACKER_RATE_STALE_DAYS=30,MAD=60", "FUNDTRACKER_REMINDERS=off", "FUNDTRACKER_SMTP_URL=smtp://user:pass@mail.example.org:2525",
		"FUNDTRACKER_MAIL_FROM=Fund team <funds@example.org>"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DBMaxOpenConns != 12 || !cfg.SecureCookies || strings.Join(cfg.proxies(), " ") != "10.0.0.0/8 192.0.2.7 ::1" ||
		cfg.DBConnMaxLifetime != 30*time.Minute || cfg.LogLevel != slog.LevelWarn || cfg.LogFormat != "json" || cfg.RateStaleDays != "30,MAD=60" {
		t.Errorf("parsed %+v", cfg)
	}
	if m, err := cfg.mailer(); err != nil || m == nil || cfg.Reminders != "off" {
		t.Errorf("reminders %q, mailer %v, %v", cfg.Reminders, m, err)
	}
	def, err := loadConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	if def.Addr != ":8080" || def.DB != "fundtracker.db" || def.SecureCookies || def.Reminders != "on" || def.LogLevel != slog.LevelInfo || def.proxies() != nil {
		t.Errorf("defaults %+v", def)
	}
}

// TestLogFormat: JSON when stderr is not a terminal (a file, a pipe), unless
// FUNDTRACKER_LOG_FORMAT=text; FUNDTRACKER_LOG_FORMAT=json keeps JSON.
func TestLogFormat(t *testing.T) {
	for _, c := range []struct {
		format string
		json   bool
	}{{"", true}, {"json", true}, {"text", false}} {
		f, err := os.CreateTemp(t.TempDir(), "log")
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := loadConfig([]string{"FUNDTRACKER_LOG_FORMAT=" + c.format})
		if err != nil {
			t.Fatal(err)
		}
		newLogger(f, cfg).Info("fundtracker serving", "addr", "127.0.0.1:8080")
		f.Close()
		b, _ := os.ReadFile(f.Name())
		if got := strings.HasPrefix(string(b), "{"); got != c.json {
			t.Errorf("FUNDTRACKER_LOG_FORMAT=%q, not a terminal: %q", c.format, b)
		}
		if !c.json && !strings.Contains(string(b), `msg="fundtracker serving" addr=127.0.0.1:8080`) {
			t.Errorf("text log: %q", b)
		}
	}
}

// TestServeStopsOnABadValue runs the real main (this test binary, re-executed)
// as `fundtracker serve` with bad values: it exits 2 before opening anything,
// naming every variable at fault.
func TestServeStopsOnABadValue(t *testing.T) {
	if os.Getenv("FUNDTRACKER_TEST_RUN_MAIN") == "1" {
		os.Args = []string{"fundtracker", "serve"}
		main()
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeStopsOnABadValue$")
	cmd.Env = append(os.Environ(), "FUNDTRACKER_TEST_RUN_MAIN=1", "FUNDTRACKER_DB="+filepath.Join(dir, "never.db"),
		"FUNDTRACKER_ADDR=127.0.0.1:0", "FUNDTRACKER_DB_MAX_OPEN_CONNS=abc", "FUNDTRACKER_SECURE_COOKIES=yes",
		"FUNDTRACKER_TRUSTED_PROXIES=10.0.0.1,10.0.0.300")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("serve with bad values: %v, want exit status 2\n%s", err, out)
	}
	for _, v := range []string{"FUNDTRACKER_DB_MAX_OPEN_CONNS", "FUNDTRACKER_SECURE_COOKIES", "FUNDTRACKER_TRUSTED_PROXIES", "10.0.0.300"} {
		if !strings.Contains(string(out), v) {
			t.Errorf("the message does not name %s:\n%s", v, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "never.db")); err == nil {
		t.Error("serve created its database before refusing its configuration")
	}
}
