package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/store/storetest"
)

// TestBannerSignIn: the banner prints a sign-in only when it works. A second
// `make run ADMIN_PASSWORD=...` on a database that already has its admin
// must not print the new password, which signs nobody in.
func TestBannerSignIn(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	demo := config{AdminEmail: "admin@example.org", AdminPassword: "demo-admin-password"}
	created, _, err := s.EnsureAdmin(ctx, demo.AdminEmail, demo.AdminPassword)
	if err != nil || !created {
		t.Fatalf("EnsureAdmin: created %v, %v", created, err)
	}
	cases := []struct {
		name    string
		cfg     config
		created bool
		want    bool
	}{
		{"just created", demo, true, true},
		{"same sign-in, second run", demo, false, true},
		{"e-mail in capitals", config{AdminEmail: "Admin@Example.org", AdminPassword: demo.AdminPassword}, false, true},
		{"another password, second run", config{AdminEmail: demo.AdminEmail, AdminPassword: "another-password-1"}, false, false},
		{"another e-mail, second run", config{AdminEmail: "me@example.org", AdminPassword: demo.AdminPassword}, false, false},
		{"generated password, second run", config{}, false, false},
	}
	for _, c := range cases {
		if got := bannerSignIn(ctx, s, c.cfg, c.created); got != c.want {
			t.Errorf("%s: bannerSignIn = %v, want %v", c.name, got, c.want)
		}
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"status":"ok"}`)) }))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	other := config{AdminEmail: demo.AdminEmail, AdminPassword: "another-password-1"}
	for _, c := range []struct {
		cfg       config
		signIn    bool
		want, not []string
	}{
		{demo, true, []string{"local-only demo credentials", "admin@example.org", "demo-admin-password", "Ctrl-C"}, []string{"already had users"}},
		{other, false, []string{"already had users", "admin@example.org", "Ctrl-C"}, []string{"another-password-1", "local-only demo credentials"}},
	} {
		var out bytes.Buffer
		printBanner(ctx, &out, addr, c.cfg, c.signIn)
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("signIn=%v: the banner does not say %q:\n%s", c.signIn, w, out.String())
			}
		}
		for _, n := range c.not {
			if strings.Contains(out.String(), n) {
				t.Errorf("signIn=%v: the banner says %q:\n%s", c.signIn, n, out.String())
			}
		}
	}
}

// TestServeSaysWhatToDoWhenTheAddressIsTaken: a new user whose port 8080 is
// already used is told how to choose another address.
func TestServeSaysWhatToDoWhenTheAddressIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := config{Addr: ln.Addr().String(), DB: filepath.Join(t.TempDir(), "demo.db"),
		AdminEmail: "admin@example.org", AdminPassword: "demo-admin-password"}
	err = serve(context.Background(), cfg, nil)
	if err == nil || !strings.Contains(err.Error(), "address already in use") || !strings.Contains(err.Error(), "make run ADDR=") {
		t.Fatalf("serve on a taken address: %v, want the cause and how to choose another address", err)
	}
}
