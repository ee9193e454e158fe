package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fundtracker/fundtracker/models"
	"golang.org/x/crypto/bcrypt"
)

func TestPasswordHashesArePHCArgon2id(t *testing.T) {
	old := PasswordParams
	t.Cleanup(func() { PasswordParams = old })
	PasswordParams = Argon2Params{MemoryKiB: 7 * 1024, Time: 5, Threads: 1} // production's
	h, err := hashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=7168,t=5,p=1$") || strings.Count(h, "$") != 5 {
		t.Fatalf("hash %q is not a PHC argon2id string with OWASP settings", h)
	}
	if ok, rehash := checkPassword(h, "correct horse battery staple"); !ok || rehash {
		t.Errorf("own hash: ok=%v rehash=%v", ok, rehash)
	}
	if ok, _ := checkPassword(h, "correct horse battery stapl"); ok {
		t.Error("a wrong password matched")
	}
	// The dummy hash for unknown e-mails costs what a real one does.
	dp, _, _, err := parsePHC(dummyHash())
	if err != nil || dp != PasswordParams {
		t.Errorf("dummy hash settings %+v (%v), want %+v", dp, err, PasswordParams)
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=0,t=1,p=1$AAAA$AAAA", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", "plain"} {
		if ok, _ := checkPassword(bad, ""); ok {
			t.Errorf("hash %q matched", bad)
		}
	}
}

// A user whose hash is bcrypt (from before argon2id) signs in with the same
// password, and the hash is argon2id from then on; a 72-byte prefix of a
// longer password does not match a bcrypt hash.
func TestBcryptHashesVerifyAndAreRehashed(t *testing.T) {
	// SQLite: the rehash is one UPDATE, the same SQL on both engines.
	ctx := context.Background()
	s, err := Open(ctx, Config{DSN: filepath.Join(t.TempDir(), "pw.db"), Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pw := "legacy bcrypt password"
	email := "legacy@example.org"
	role := models.RoleStaff
	if _, err := s.CreateUser(ctx, models.Actor{Email: "system"}, models.UserInput{Email: &email, Password: &pw, Role: &role}); err != nil {
		t.Fatal(err)
	}
	legacy, _ := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err := s.w.Exec("UPDATE users SET password_hash = ? WHERE email = ?", string(legacy), email).Error; err != nil {
		t.Fatal(err)
	}
	stored := func() string {
		var h string
		s.w.Raw("SELECT password_hash FROM users WHERE email = ?", email).Row().Scan(&h)
		return h
	}
	if _, _, err := s.Login(ctx, models.LoginInput{Email: email, Password: pw + "x"}, "192.0.2.1"); models.ErrorCode(err) != models.EUNAUTHORIZED {
		t.Fatalf("wrong password against bcrypt: %v", err)
	}
	if h := stored(); !strings.HasPrefix(h, "$2") {
		t.Fatalf("a failed login changed the hash to %q", h)
	}
	if _, _, err := s.Login(ctx, models.LoginInput{Email: email, Password: pw}, "192.0.2.1"); err != nil {
		t.Fatalf("login against a bcrypt hash: %v", err)
	}
	if h := stored(); !strings.HasPrefix(h, "$argon2id$") {
		t.Fatalf("after sign-in the hash is %q, want argon2id", h)
	}
	if _, _, err := s.Login(ctx, models.LoginInput{Email: email, Password: pw}, "192.0.2.1"); err != nil {
		t.Fatalf("login against the new argon2id hash: %v", err)
	}
	// bcrypt compared only 72 bytes: a longer password never matches a bcrypt hash.
	long := strings.Repeat("b", 72)
	lh, _ := bcrypt.GenerateFromPassword([]byte(long), bcrypt.MinCost)
	if ok, _ := checkPassword(string(lh), long+"any suffix"); ok {
		t.Error("the 72-byte prefix plus a suffix matched a bcrypt hash")
	}
	if ok, rehash := checkPassword(string(lh), long); !ok || !rehash {
		t.Errorf("bcrypt hash of its own password: ok=%v rehash=%v", ok, rehash)
	}
}
