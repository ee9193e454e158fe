package models

import (
	"time"
	"unicode/utf8"
)

// Roles.
const (
	RoleAdmin = "admin"
	RoleStaff = "staff"
)

// Roles lists every role.
var Roles = []string{RoleAdmin, RoleStaff}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// User is a member of a fund's team who signs in.
type User struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

// Can reports whether the user's role allows what needs role ("" needs
// only a signed-in user).
func (u User) Can(role string) bool {
	return u.Active && (role == "" || u.Role == RoleAdmin || u.Role == role)
}

// UserInput is the body of POST /users and, partially, of PATCH /users/{id}.
type UserInput struct {
	Email    *string `json:"email"`
	Password *string `json:"password"`
	Role     *string `json:"role"`
	Active   *bool   `json:"active"`
}

// Apply validates the input onto u and returns the new password, if one is set.
func (in UserInput) Apply(u *User, partial bool) (string, error) {
	p := Problems{}
	if in.Email != nil || !partial {
		u.Email = Email("email", deref(in.Email), true, p)
	}
	if in.Role != nil || !partial {
		u.Role = OneOf("role", deref(in.Role), "", Roles, p)
	}
	if in.Active != nil {
		u.Active = *in.Active
	}
	password := ""
	if in.Password != nil || !partial {
		password = Password("password", deref(in.Password), p)
	}
	return password, p.Err()
}

// MaxPasswordLength is the longest password accepted, in characters; every
// character counts (argon2id reads the whole password, bcrypt read 72 bytes).
const MaxPasswordLength = 256

// Password checks a new password: valid UTF-8, 12 to 256 characters.
func Password(field, pw string, p Problems) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		p.Add(field, "must be valid UTF-8 text")
	case n < MinPasswordLength:
		p.Add(field, "must be at least 12 characters")
	case n > MaxPasswordLength:
		p.Add(field, "must be at most 256 characters")
	default:
		return pw
	}
	return ""
}

// LoginInput is the body of POST /auth/login.
type LoginInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Validate checks that both fields are there and not empty (422 naming each
// one missing);
// whether they are right is for the store to say, with one 401 for both.
func (in LoginInput) Validate() error {
	p := Problems{}
	if in.Email == "" {
		p.Add("email", "is required")
	}
	if in.Password == "" {
		p.Add("password", "is required")
	}
	return p.Err()
}

// Token is a session or API token as its owner sees it; the secret is shown
// once, when it is created.
type Token struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Name      string     `json:"name"`
	Secret    string     `json:"token,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// Token kinds.
const (
	TokenSession = "session"
	TokenAPI     = "api"
)

// TokenInput is the body of POST /tokens.
type TokenInput struct {
	Name      string `json:"name"`
	ExpiresIn int    `json:"expires_in_days"`
}

// Validate checks the input.
func (in TokenInput) Validate() (string, int, error) {
	p := Problems{}
	name := Text("name", in.Name, true, 100, false, p)
	if in.ExpiresIn < 0 || in.ExpiresIn > 3650 {
		p.Add("expires_in_days", "must be between 0 (never) and 3650")
	}
	return name, in.ExpiresIn, p.Err()
}

// Actor is who makes a change, as the audit trail records it.
type Actor struct {
	UserID   int64
	Email    string
	SourceIP string
}

// AuditEntities are the kinds of record the audit trail speaks of, and
// AuditActions what was done: GET /audit?entity= and ?action= take only
// these (a new audited entity or action is added here, and to api/openapi.yaml).
var (
	AuditEntities = []string{"fund", "donor", "exchange_rate", "pledge", "contribution", "user", "token", "session"}
	AuditActions  = []string{"create", "update", "cancel", "void", "login", "login_failed", "login_throttled",
		"login_refused", "logout", "revoke", "merge"}
)

// AuditEvent is one entry of the audit trail.
type AuditEvent struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	ActorID  *int64    `json:"actor_id"`
	SourceIP string    `json:"source_ip"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID *int64    `json:"entity_id"`
	Before   any       `json:"before"`
	After    any       `json:"after"`
}

// Page is one page of a list: the items and the cursor of the next page.
type Page[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next"`
}
