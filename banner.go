package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/fundtracker/fundtracker/seed"
	"github.com/fundtracker/fundtracker/store"
)

// printBanner waits until the server at addr answers /healthz, then tells a
// new user where to go and how to sign in (`serve -banner`, used by `make run`).
// signIn says whether cfg's admin e-mail and password sign in (see
// bannerSignIn); when they do not, the banner prints no password.
func printBanner(ctx context.Context, w io.Writer, addr string, cfg config, signIn bool) {
	base := "http://" + browsable(addr)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
	email := cmp.Or(cfg.AdminEmail, "admin@localhost")
	password := cfg.AdminPassword
	if password == "" {
		password = "(generated: see the log line above, shown once)"
	}
	credentials := fmt.Sprintf(`  Demo sign-in (local-only demo credentials, never use them on a shared server):
    e-mail     %s
    password   %s`, email, password)
	if !signIn {
		credentials = fmt.Sprintf(`  Sign in as a user of this database. It already had users, and the e-mail
  %s with the password this run was given does not sign in:
  FUNDTRACKER_ADMIN_EMAIL and FUNDTRACKER_ADMIN_PASSWORD (make run's
  ADMIN_EMAIL and ADMIN_PASSWORD) only create the first admin of a database
  without users. make run DB=new.db starts a fresh demo.`, email)
	}
	fmt.Fprintf(w, `
fundtracker is running the IOM Resilience Fund demo.

  Dashboard      %[1]s/
  Fund page      %[1]s/funds/%[2]s
  Staff console  %[1]s/staff
  API document   %[1]s/api/openapi.yaml

%[3]s

  Stop with Ctrl-C.

`, base, seed.FundCode, credentials)
}

// bannerSignIn tells whether the sign-in the banner would print works: it
// does when serve has just created that admin; otherwise the database already
// had users, and cfg's e-mail and password are checked against them (a
// second `make run ADMIN_PASSWORD=...` on the same database changes nothing).
func bannerSignIn(ctx context.Context, s *store.Store, cfg config, created bool) bool {
	if created {
		return true
	}
	if cfg.AdminPassword == "" { // a generated password was shown when it was made, not now
		return false
	}
	ok, err := s.SignsIn(ctx, cmp.Or(cfg.AdminEmail, "admin@localhost"), cfg.AdminPassword)
	return ok && err == nil
}

// browsable turns a listen address into one a browser can open: a wildcard
// host (":8080", "0.0.0.0:8080", "[::]:8080") becomes localhost.
func browsable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
