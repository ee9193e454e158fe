package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/fundtracker/fundtracker/handlers"
	"github.com/fundtracker/fundtracker/handlers/mailer"

	"github.com/fundtracker/fundtracker/models"
)

// config is every setting fundtracker reads from the environment, parsed by
// caarlos0/env. A value that does not parse stops the command with a message
// naming the variable (see loadConfig). Flags (-addr, -db) override it.
// To add a setting, add one field here with its env tag and default, and
// list it in README.md's configuration table.
type config struct {
	Addr string `env:"FUNDTRACKER_ADDR" envDefault:":8080"`
	DB   string `env:"FUNDTRACKER_DB" envDefault:"fundtracker.db"`

	DBMaxOpenConns    int           `env:"FUNDTRACKER_DB_MAX_OPEN_CONNS"`
	DBMaxIdleConns    int           `env:"FUNDTRACKER_DB_MAX_IDLE_CONNS"`
	DBConnMaxLifetime time.Duration `env:"FUNDTRACKER_DB_CONN_MAX_LIFETIME"`
	SQLiteSynchronous string        `env:"FUNDTRACKER_SQLITE_SYNCHRONOUS"`

	AdminEmail    string `env:"FUNDTRACKER_ADMIN_EMAIL"`
	AdminPassword string `env:"FUNDTRACKER_ADMIN_PASSWORD"`

	SecureCookies  bool    `env:"FUNDTRACKER_SECURE_COOKIES"`
	TrustedProxies []proxy `env:"FUNDTRACKER_TRUSTED_PROXIES" envSeparator:","`

	MetricsToken       string        `env:"FUNDTRACKER_METRICS_TOKEN"` // /metrics is off unless set
	ExportConcurrency  int           `env:"FUNDTRACKER_EXPORT_CONCURRENCY" envDefault:"4"`
	ExportWriteTimeout time.Duration `env:"FUNDTRACKER_EXPORT_WRITE_TIMEOUT" envDefault:"30s"`
	EmbedOrigins       string        `env:"FUNDTRACKER_EMBED_ORIGINS"`                            // who may frame /embed (a CSP source list); "" = *
	DocumentMaxBytes   int64         `env:"FUNDTRACKER_DOCUMENT_MAX_BYTES" envDefault:"20971520"` // 20 MiB
	ImportMaxBytes     int64         `env:"FUNDTRACKER_IMPORT_MAX_BYTES" envDefault:"52428800"`   // 50 MiB (issue 12)

	// RateStaleDays (issue 14): after how many days a rate is stale, "45" or "45,EUR=30".
	RateStaleDays string `env:"FUNDTRACKER_RATE_STALE_DAYS"`

	// Issue 11: payment reminders. The scheduler runs every minute unless
	// FUNDTRACKER_REMINDERS=off; without SMTP, reminders stay pending.
	Reminders string `env:"FUNDTRACKER_REMINDERS" envDefault:"on"`
	SMTPURL   string `env:"FUNDTRACKER_SMTP_URL"` // smtp://user:pass@host:port (STARTTLS when offered)
	MailFrom  string `env:"FUNDTRACKER_MAIL_FROM"`

	LogLevel  slog.Level `env:"FUNDTRACKER_LOG_LEVEL" envDefault:"info"`
	LogFormat string     `env:"FUNDTRACKER_LOG_FORMAT"` // text, json, or "" (text on a terminal, else JSON)
}

// proxy is one entry of FUNDTRACKER_TRUSTED_PROXIES: an IP address or a CIDR range.
type proxy string

func (p *proxy) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if _, err := netip.ParsePrefix(s); err == nil {
		*p = proxy(s)
		return nil
	}
	if _, err := netip.ParseAddr(s); err == nil {
		*p = proxy(s)
		return nil
	}
	return fmt.Errorf("%q is neither an IP address nor a CIDR range (e.g. 10.0.0.0/8)", s)
}

// proxies returns the trusted proxies as the API takes them.
func (c config) proxies() []string {
	var out []string
	for _, p := range c.TrustedProxies {
		out = append(out, string(p))
	}
	return out
}

// mailer is the SMTP sender of reminders, nil when FUNDTRACKER_SMTP_URL and
// FUNDTRACKER_MAIL_FROM are unset; one without the other is an error.
func (c config) mailer() (*mailer.Mailer, error) {
	switch {
	case c.SMTPURL == "" && c.MailFrom == "":
		return nil, nil
	case c.SMTPURL == "":
		return nil, errors.New("FUNDTRACKER_MAIL_FROM is set without FUNDTRACKER_SMTP_URL: set both to send reminders by e-mail")
	case c.MailFrom == "":
		return nil, errors.New("FUNDTRACKER_SMTP_URL is set without FUNDTRACKER_MAIL_FROM: set both to send reminders by e-mail")
	}
	return mailer.New(c.SMTPURL, c.MailFrom)
}

// loadConfig reads the configuration from environ (os.Environ's "K=V"
// form). Every variable at fault is named in the error, at once.
func loadConfig(environ []string) (config, error) {
	var c config
	vars := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	var problems []string
	if err := env.ParseWithOptions(&c, env.Options{Environment: vars}); err != nil {
		problems = append(problems, envProblems(err)...)
	}
	for _, f := range []struct {
		name string
		n    int
	}{{"FUNDTRACKER_DB_MAX_OPEN_CONNS", c.DBMaxOpenConns}, {"FUNDTRACKER_DB_MAX_IDLE_CONNS", c.DBMaxIdleConns},
		{"FUNDTRACKER_EXPORT_CONCURRENCY", c.ExportConcurrency}} {
		if f.n < 0 {
			problems = append(problems, fmt.Sprintf("%s: %d is negative (leave it unset for the default)", f.name, f.n))
		}
	}
	for _, f := range strings.Fields(c.EmbedOrigins) {
		if handlers.EmbedOrigins(f) != f {
			problems = append(problems, fmt.Sprintf("FUNDTRACKER_EMBED_ORIGINS: %q is not a CSP source (an origin such as https://example.org, or *)", f))
		}
	}
	if c.DocumentMaxBytes <= 0 {
		problems = append(problems, fmt.Sprintf("FUNDTRACKER_DOCUMENT_MAX_BYTES: %d is not a positive number of bytes", c.DocumentMaxBytes))
	}
	if c.ImportMaxBytes <= 0 {
		problems = append(problems, fmt.Sprintf("FUNDTRACKER_IMPORT_MAX_BYTES: %d is not a positive number of bytes", c.ImportMaxBytes))
	}
	if c.ExportWriteTimeout < 0 {
		problems = append(problems, "FUNDTRACKER_EXPORT_WRITE_TIMEOUT: a duration cannot be negative")
	}
	if c.DBConnMaxLifetime < 0 {
		problems = append(problems, "FUNDTRACKER_DB_CONN_MAX_LIFETIME: a duration cannot be negative")
	}
	if _, err := models.ParseStaleness(c.RateStaleDays); err != nil {
		problems = append(problems, "FUNDTRACKER_RATE_STALE_DAYS: "+err.Error())
	}
	switch strings.ToUpper(c.SQLiteSynchronous) {
	case "", "OFF", "NORMAL", "FULL", "EXTRA":
	default:
		problems = append(problems, fmt.Sprintf("FUNDTRACKER_SQLITE_SYNCHRONOUS: %q is not one of OFF, NORMAL, FULL, EXTRA", c.SQLiteSynchronous))
	}
	switch c.Reminders {
	case "on", "off":
	default:
		problems = append(problems, fmt.Sprintf("FUNDTRACKER_REMINDERS: %q is not on or off", c.Reminders))
	}
	if _, err := c.mailer(); err != nil {
		problems = append(problems, err.Error())
	}
	switch c.LogFormat {
	case "", "text", "json":
	default:
		problems = append(problems, fmt.Sprintf("FUNDTRACKER_LOG_FORMAT: %q is not text or json", c.LogFormat))
	}
	if len(problems) > 0 {
		return c, errors.New("configuration: " + strings.Join(problems, "; "))
	}
	return c, nil
}

// envProblems turns caarlos0/env's errors, which name struct fields, into
// messages naming the environment variable and the value at fault.
func envProblems(err error) []string {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return []string{err.Error()}
	}
	t := reflect.TypeOf(config{})
	var out []string
	for _, e := range agg.Errors {
		var pe env.ParseError
		if !errors.As(e, &pe) {
			out = append(out, e.Error())
			continue
		}
		name := pe.Name
		if f, ok := t.FieldByName(pe.Name); ok {
			name = f.Tag.Get("env")
		}
		out = append(out, fmt.Sprintf("%s: %s", name, describe(pe)))
	}
	return out
}

// describe says what kind of value a setting wanted.
func describe(pe env.ParseError) string {
	want := map[reflect.Kind]string{reflect.Int: "a whole number", reflect.Bool: "true or false"}[pe.Type.Kind()]
	switch pe.Type {
	case reflect.TypeOf(time.Duration(0)):
		want = "a duration such as 30m or 1h"
	case reflect.TypeOf(slog.Level(0)):
		want = "debug, info, warn or error"
	}
	if want == "" {
		return pe.Err.Error()
	}
	return fmt.Sprintf("want %s: %v", want, pe.Err)
}
