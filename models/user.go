package models

import (
	"slices"
	"time"
	"unicode/utf8"
)

// Roles (docs/access.md says who may do what).
const (
	// RoleAdmin does everything.
	RoleAdmin = "admin"
	// RoleStaff writes on every fund.
	RoleStaff = "staff"
	// RoleFundManager writes only on the funds of its FundIDs and reads the staff data of all funds.
	RoleFundManager = "fund_manager"
	// RoleViewer reads every staff list, export and report, and writes nothing.
	RoleViewer = "viewer"
	// RoleAuditor is a viewer who may also read the audit trail.
	RoleAuditor = "auditor"
)

// Roles lists every role.
var Roles = []string{RoleAdmin, RoleStaff, RoleFundManager, RoleViewer, RoleAuditor}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// User is a member of a fund's team who signs in.
type User struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Role  string `json:"role"`
	// FundIDs are the funds a fund_manager writes on (empty for every other role).
	FundIDs   []int64   `json:"fund_ids"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

// Can reports whether the user's role allows what needs role ("" needs
// only a signed-in user; RoleStaff needs admin or staff).
func (u User) Can(role string) bool {
	return u.Active && (role == "" || u.Role == RoleAdmin || u.Role == role)
}

// CanRead reports whether the user reads the staff data (lists, exports,
// reports) of every fund: every role does.
func (u User) CanRead() bool { return u.Active && slices.Contains(Roles, u.Role) }

// CanWriteShared reports whether the user writes what all funds share (donors,
// exchange rates): admin, staff and fund_manager.
func (u User) CanWriteShared() bool {
	return u.Active && (u.Role == RoleAdmin || u.Role == RoleStaff || u.Role == RoleFundManager)
}

// CanWriteFund reports whether the user writes records of a fund: admin and
// staff on every fund, a fund_manager on the funds of its FundIDs.
func (u User) CanWriteFund(fundID int64) bool {
	switch {
	case !u.Active:
		return false
	case u.Role == RoleAdmin || u.Role == RoleStaff:
		return true
	case u.Role == RoleFundManager:
		return slices.Contains(u.FundIDs, fundID)
	}
	return false
}

// CanAudit reports whether the user reads the audit trail: admin and auditor.
func (u User) CanAudit() bool { return u.Active && (u.Role == RoleAdmin || u.Role == RoleAuditor) }

// UserInput is the body of POST /users and, partially, of PATCH /users/{id}.
type UserInput struct {
	Email    *string  `json:"email"`
	Password *string  `json:"password"`
	Role     *string  `json:"role"`
	FundIDs  *[]int64 `json:"fund_ids"`
	Active   *bool    `json:"active"`
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
	if in.FundIDs != nil {
		u.FundIDs = uniqueIDs(*in.FundIDs)
	} else if u.Role != RoleFundManager {
		u.FundIDs = nil // a role that is not fund_manager keeps no funds
	}
	switch {
	case u.Role == RoleFundManager && len(u.FundIDs) == 0:
		p.Add("fund_ids", "is required for the fund_manager role (at least one fund id)")
	case u.Role != RoleFundManager && len(u.FundIDs) > 0 && p["role"] == "":
		p.Add("fund_ids", "is only for the fund_manager role")
	}
	for _, id := range u.FundIDs {
		if id <= 0 {
			p.Add("fund_ids", "must be positive fund ids")
		}
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

// uniqueIDs returns ids sorted, each once (never nil).
func uniqueIDs(ids []int64) []int64 {
	out := append([]int64{}, ids...)
	slices.Sort(out)
	return slices.Compact(out)
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
	ID     int64  `json:"id"`
	UserID int64  `json:"user_id"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	// Scope is read (GET and HEAD only) or write (whatever the user's role allows).
	Scope     string     `json:"scope"`
	Secret    string     `json:"token,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresOn *Date      `json:"expires_on"`
	ExpiresAt *time.Time `json:"expires_at"`
	// LastUsedAt is when the token was last used, to the minute (updated at most once a minute).
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// Token scopes.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// TokenScopes lists every token scope.
var TokenScopes = []string{ScopeRead, ScopeWrite}

// DefaultTokenDays is how long an API token lasts when no expires_on is given.
const DefaultTokenDays = 365

// Token kinds.
const (
	TokenSession = "session"
	TokenAPI     = "api"
)

// TokenInput is the body of POST /tokens.
type TokenInput struct {
	Name      string    `json:"name"`
	Scope     string    `json:"scope"`
	ExpiresOn DateInput `json:"expires_on"`
}

// Validate checks the input: a name, a scope, and the last day the token
// works (UTC; from today to ten years ahead, a year from today when absent).
// It answers the name, the scope and that day.
func (in TokenInput) Validate(today Date) (string, string, Date, error) {
	p := Problems{}
	name := Text("name", in.Name, true, 100, false, p)
	scope := OneOf("scope", in.Scope, "", TokenScopes, p)
	last := addDays(today, DefaultTokenDays)
	if in.ExpiresOn.Set {
		last = in.ExpiresOn.Required("expires_on", p)
		switch {
		case p["expires_on"] != "":
		case last < today:
			p.Add("expires_on", "must be today or later (today is "+string(today)+" UTC)")
		case last > addDays(today, 3650):
			p.Add("expires_on", "must be at most ten years ahead")
		}
	}
	return name, scope, last, p.Err()
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
	AuditEntities = []string{"fund", "donor", "exchange_rate", "pledge", "contribution", "user", "token", "session", "document", "donor_link", "import", "reminder"}
	AuditActions  = []string{"create", "update", "cancel", "void", "login", "login_failed", "login_throttled",
		"login_refused", "logout", "revoke", "supersede", "use", "acknowledge", "merge", "import", ActionWriteOff, ActionReschedule, ActionSendByHand}
)

// Issue 11's actions on a pledge.
const (
	ActionWriteOff   = "write_off"
	ActionReschedule = "reschedule"
	// ActionSendByHand: a reminder staff sent themselves (no mail server).
	ActionSendByHand = "send_by_hand"
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

// addDays is the date n days after d.
func addDays(d Date, n int) Date {
	t, _ := time.Parse(DateLayout, string(d))
	return DateOf(t.AddDate(0, 0, n))
}
