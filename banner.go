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
)

// printBanner waits until the server at addr answers /healthz, then tells a
// new user where to go and how to sign in (`serve -banner`, used by `make run`).
func printBanner(ctx context.Context, w io.Writer, addr string, cfg config) {
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
	password := cfg.AdminPassword
	if password == "" {
		password = "(generated: see the log line above, shown once)"
	}
	fmt.Fprintf(w, `
fundtracker is running the IOM Resilience Fund demo.

  Dashboard      %[1]s/
  Fund page      %[1]s/funds/%[2]s
  Staff console  %[1]s/staff
  API document   %[1]s/api/openapi.yaml

  Demo sign-in (local-only demo credentials, never use them on a shared server):
    e-mail     %[3]s
    password   %[4]s

  Stop with Ctrl-C.

`, base, seed.FundCode, cmp.Or(cfg.AdminEmail, "admin@localhost"), password)
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
