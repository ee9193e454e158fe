package store

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Argon2Params are the argon2id settings of new password hashes.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// PasswordParams are one of OWASP's equivalent argon2id settings: m=7 MiB,
// t=5, p=1. OWASP lists m=19 MiB with t=2 as equally strong; the smaller
// memory keeps a server that answers parallel sign-ins within its memory
// budget (a sign-in that rehashes runs two hashes).
// Tests lower them (storetest); a hash made with other settings still
// verifies, and is made again with these at the next sign-in.
var PasswordParams = Argon2Params{MemoryKiB: 7 * 1024, Time: 5, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// hashSlots bounds how many hashes run at once: each takes MemoryKiB of
// memory, so parallel sign-ins cannot grow the process without bound.
var hashSlots = make(chan struct{}, max(1, runtime.NumCPU()))

func withHashSlot[T any](f func() T) T {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return f()
}

// hashPassword returns the PHC string of an argon2id hash of pw:
// $argon2id$v=19$m=7168,t=5,p=1$<salt>$<hash> (unpadded base64).
func hashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := PasswordParams
	key := withHashSlot(func() []byte { return argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, keyLen) })
	return phc(p, salt, key), nil
}

func phc(p Argon2Params, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// parsePHC reads an argon2id PHC string.
func parsePHC(s string) (p Argon2Params, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("not an argon2id hash")
	}
	var version int
	if _, err = fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, fmt.Errorf("argon2id version %q", parts[2])
	}
	if _, err = fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("argon2id parameters %q: %w", parts[3], err)
	}
	if p.MemoryKiB == 0 || p.Time == 0 || p.Threads == 0 || p.MemoryKiB > 1<<21 {
		return p, nil, nil, fmt.Errorf("argon2id parameters %q out of range", parts[3])
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, err
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) == 0 {
		return p, nil, nil, errors.New("argon2id hash: bad key")
	}
	return p, salt, key, nil
}

// checkPassword reports whether pw matches a stored hash (argon2id, or a
// bcrypt hash from before argon2id), and whether the hash should be made
// again with today's settings. Every password is read in full: a bcrypt hash
// only ever matched its first 72 bytes, so a longer password never matches
// one (bcrypt hashes were made of passwords of at most 72 bytes).
func checkPassword(hash, pw string) (ok, rehash bool) {
	if strings.HasPrefix(hash, "$2") {
		if len(pw) > 72 {
			return false, false
		}
		return withHashSlot(func() error { return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) }) == nil, true
	}
	p, salt, key, err := parsePHC(hash)
	if err != nil {
		return false, false
	}
	got := withHashSlot(func() []byte { return argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(key))) })
	return subtle.ConstantTimeCompare(got, key) == 1, p != PasswordParams || len(salt) != saltLen || len(key) != keyLen
}

// dummyHash is checked against when an e-mail is unknown, so that an unknown
// e-mail and a wrong password take the same time (the same settings as real hashes).
var dummyHash = sync.OnceValue(func() string {
	h, _ := hashPassword("fundtracker-dummy-password")
	return h
})
