// Package mailer sends fundtracker's e-mail (issue 11: payment reminders)
// over SMTP with github.com/wneessen/go-mail: FUNDTRACKER_SMTP_URL
// (smtp://user:pass@host:port, STARTTLS when the server offers it;
// smtps:// for TLS from the start) and FUNDTRACKER_MAIL_FROM.
package mailer

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"time"

	"github.com/fundtracker/fundtracker/models"
	gomail "github.com/wneessen/go-mail"
)

// Timeout bounds each SMTP exchange (connect, and each command).
const Timeout = 30 * time.Second

// Mailer sends e-mail through one SMTP server.
type Mailer struct {
	host       string
	port       int
	tls        bool // smtps: TLS from the start
	user, pass string
	from       string
	// TLSConfig verifies the server's certificate (STARTTLS or smtps); nil:
	// the system's roots. Tests set their own.
	TLSConfig *tls.Config
}

// New reads an SMTP URL and a sender address. Both are required.
func New(smtpURL, from string) (*Mailer, error) {
	u, err := url.Parse(smtpURL)
	if err != nil { // the URL itself is not repeated: it may hold a password
		return nil, errors.New("FUNDTRACKER_SMTP_URL: not a URL such as smtp://user:pass@host:587")
	}
	m := &Mailer{host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		m.port = 587
	case "smtps":
		m.port, m.tls = 465, true
	default:
		return nil, fmt.Errorf("FUNDTRACKER_SMTP_URL: %q is not smtp://user:pass@host:port (or smtps://)", u.Redacted())
	}
	if m.host == "" {
		return nil, fmt.Errorf("FUNDTRACKER_SMTP_URL: %q names no host", u.Redacted())
	}
	if p := u.Port(); p != "" {
		if m.port, err = strconv.Atoi(p); err != nil || m.port < 1 || m.port > 65535 {
			return nil, fmt.Errorf("FUNDTRACKER_SMTP_URL: %q is not a port", p)
		}
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.pass, _ = u.User.Password()
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("FUNDTRACKER_MAIL_FROM: %q is not an e-mail address (such as Fund team <funds@example.org>)", from)
	}
	m.from = addr.String()
	return m, nil
}

// Send sends one e-mail: plain text with an HTML alternative. A password is
// never sent over a connection that is not encrypted (the server must offer
// STARTTLS, or the URL be smtps://). A server that
// cannot be reached is a models.MailError with Unreached; a message refused
// for good (a 5xx answer) one with Permanent; other failures are temporary.
func (m *Mailer) Send(ctx context.Context, msg models.Mail) error {
	em := gomail.NewMsg()
	if err := em.From(m.from); err != nil {
		return &models.MailError{Err: err, Permanent: true}
	}
	if err := em.To(msg.To); err != nil {
		return &models.MailError{Err: fmt.Errorf("recipient %q: %w", msg.To, err), Permanent: true}
	}
	em.Subject(msg.Subject)
	em.SetDate()
	em.SetMessageIDWithValue(msg.ID + "." + nonce() + "@" + m.host)
	em.SetGenHeader("X-Fundtracker-Reminder", msg.ID)
	em.SetGenHeader(gomail.HeaderContentLang, msg.Language)
	em.SetBodyString(gomail.TypeTextPlain, msg.Text)
	em.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)

	// STARTTLS when the server offers it; required when there are
	// credentials, so that a connection stripped of STARTTLS fails instead
	// of signing in in clear.
	policy := gomail.TLSOpportunistic
	if m.user != "" {
		policy = gomail.TLSMandatory
	}
	opts := []gomail.Option{gomail.WithPort(m.port), gomail.WithTimeout(Timeout), gomail.WithTLSPolicy(policy)}
	if m.tls {
		opts = append(opts, gomail.WithSSL())
	}
	if m.TLSConfig != nil {
		cfg := m.TLSConfig.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = m.host
		}
		opts = append(opts, gomail.WithTLSConfig(cfg))
	}
	if m.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(m.user), gomail.WithPassword(m.pass))
	}
	c, err := gomail.NewClient(m.host, opts...)
	if err != nil {
		return &models.MailError{Err: err, Unreached: true}
	}
	conn, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return &models.MailError{Err: fmt.Errorf("connect to %s:%d: %w", m.host, m.port, err), Unreached: true}
	}
	defer c.CloseWithSMTPClient(conn)
	if err := c.SendWithSMTPClient(conn, em); err != nil {
		var se *gomail.SendError
		permanent := errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500
		return &models.MailError{Err: err, Permanent: permanent}
	}
	return nil
}

func nonce() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
