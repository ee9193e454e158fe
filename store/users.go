package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// Auth settings.
var (
	// BcryptCost was the cost of password hashes before argon2id (hashes are
	// argon2id now, see password.go; bcrypt ones still verify).
	BcryptCost = 12
	// Throttling: failures in a window that lock an account or an address.
	ThrottleWindow     = 15 * time.Minute
	AccountMaxFailures = 5
	AddressMaxFailures = 20
)

// NewSecret returns a random secret: a token or a generated password.
func NewSecret(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// EnsureAdmin creates an admin when no user exists yet. With no password, one
// is generated and returned so that the caller can print it once.
func (s *Store) EnsureAdmin(ctx context.Context, email, password string) (created bool, generated string, err error) {
	var n int64
	if err := s.w.WithContext(ctx).Model(&userRow{}).Count(&n).Error; err != nil || n > 0 {
		return false, "", err
	}
	if email == "" {
		email = "admin@localhost"
	}
	if password == "" {
		generated = NewSecret("")[:24]
		password = generated
	}
	role := models.RoleAdmin
	_, err = s.CreateUser(ctx, models.Actor{Email: "system"}, models.UserInput{Email: &email, Password: &password, Role: &role})
	if models.ErrorCode(err) == models.ECONFLICT { // another instance created it first
		return false, "", nil
	}
	return err == nil, generated, err
}

// SignsIn reports whether email and password would sign in an active user.
// It only reads: no session, no audit row, no throttle count. `serve -banner`
// checks the demo sign-in with it before printing it, because
// EnsureAdmin applies the configured one to a database without users only.
func (s *Store) SignsIn(ctx context.Context, email, password string) (bool, error) {
	var row userRow
	err := s.r.WithContext(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&row).Error
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ok, _ := checkPassword(row.PasswordHash, password)
	return ok && row.Active, nil
}

// CreateUser creates a user with a hashed password.
func (s *Store) CreateUser(ctx context.Context, a models.Actor, in models.UserInput) (models.User, error) {
	u := models.User{Active: true}
	pw, err := in.Apply(&u, false)
	if err != nil {
		return u, err
	}
	hash, err := hashPassword(pw)
	if err != nil {
		return u, err
	}
	err = s.writer.do(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&userRow{}).Where("email = ?", u.Email).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return &models.Error{Code: models.ECONFLICT, Message: "A user with this e-mail already exists.", Fields: map[string]string{"email": "is already used"}}
		}
		if err := fundsExist(tx, u.FundIDs); err != nil {
			return err
		}
		row := userRow{Email: u.Email, PasswordHash: hash, Role: u.Role, Active: true, CreatedAt: s.now(), UpdatedAt: s.now()}
		if err := tx.Create(&row).Error; err != nil {
			return s.conflictOnUnique(err, "email", "A user with this e-mail already exists.")
		}
		fundIDs := u.FundIDs
		u = row.model()
		if err := setUserFunds(tx, u.ID, fundIDs); err != nil {
			return err
		}
		u.FundIDs = nonNil(fundIDs)
		return s.audit(tx, a, "create", "user", u.ID, nil, u)
	})
	return u, wrap("create user", err)
}

// Users lists users, newest first.
func (s *Store) Users(ctx context.Context, pg models.PageRequest) (models.Page[models.User], error) {
	var rows []userRow
	if err := pageQuery(s.r.WithContext(ctx), "id", pg).Find(&rows).Error; err != nil {
		return models.Page[models.User]{}, err
	}
	users := make([]models.User, len(rows))
	for i, r := range rows {
		users[i] = r.model()
	}
	if err := withFundIDs(s.r.WithContext(ctx), users); err != nil {
		return models.Page[models.User]{}, err
	}
	return models.NewPage(users, pg.Limit, func(u models.User) int64 { return u.ID }), nil
}

// UpdateUser changes a user's e-mail, role, active flag or password. A
// deactivated user's tokens are revoked.
func (s *Store) UpdateUser(ctx context.Context, a models.Actor, id int64, in models.UserInput) (models.User, error) {
	var u models.User
	var newHash string
	if in.Password != nil {
		p := models.Problems{}
		if pw := models.Password("password", *in.Password, p); pw != "" {
			h, err := hashPassword(pw)
			if err != nil {
				return u, err
			}
			newHash = h
		}
	}
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		var row userRow
		if err := s.dialect.forUpdate(tx).Where("id = ?", id).Take(&row).Error; err != nil {
			if isNotFound(err) {
				return notFound("user", id)
			}
			return err
		}
		loaded := []models.User{row.model()}
		if err := withFundIDs(tx, loaded); err != nil {
			return err
		}
		before := loaded[0]
		u = before
		u.FundIDs = append([]int64{}, before.FundIDs...)
		if _, err := in.Apply(&u, true); err != nil {
			return err
		}
		if err := fundsExist(tx, u.FundIDs); err != nil {
			return err
		}
		if a.UserID == id && (u.Role != models.RoleAdmin || !u.Active) {
			return models.FieldError("role", "you cannot remove your own admin role or deactivate yourself")
		}
		u.FundIDs = nonNil(u.FundIDs) // a role without funds: [] as loaded, so that Same compares like with like
		if newHash == "" && models.Same(before, u) {
			return nil // a patch that changes nothing writes nothing
		}
		row.Email, row.Role, row.Active, row.UpdatedAt = u.Email, u.Role, u.Active, s.now()
		if newHash != "" {
			row.PasswordHash = newHash
		}
		if err := tx.Save(&row).Error; err != nil {
			return s.conflictOnUnique(err, "email", "A user with this e-mail already exists.")
		}
		if !row.Active || newHash != "" {
			if err := tx.Model(&tokenRow{}).Where("user_id = ? AND revoked_at IS NULL", id).Update("revoked_at", s.now()).Error; err != nil {
				return err
			}
		}
		fundIDs := u.FundIDs
		if err := setUserFunds(tx, id, fundIDs); err != nil {
			return err
		}
		u = row.model()
		u.FundIDs = nonNil(fundIDs)
		after := map[string]any{"user": u, "password_changed": newHash != ""}
		return s.audit(tx, a, "update", "user", id, before, after)
	})
	return u, wrap("update user", err)
}

// Login checks an e-mail and password and opens a session. While the account
// or the address is locked, an attempt is refused (429) after one read, and
// writes nothing (throttle.go). Otherwise every attempt is counted against the
// account and the address before the password is checked, in one
// transaction, so that guesses sent in parallel are counted too; the attempt
// that reaches the limit locks the key for a window, and is audited once. A
// success clears the account's count and takes its attempt back from the
// address's.
func (s *Store) Login(ctx context.Context, in models.LoginInput, ip string) (models.User, string, error) {
	email := sqlSafe(strings.ToLower(strings.TrimSpace(in.Email)))
	if len(email) > 254 {
		email = email[:254]
	}
	anonymous := models.Actor{Email: email, SourceIP: ip}
	keys := []throttleKey{{"account:" + email, AccountMaxFailures}, {"address:" + ip, AddressMaxFailures}}
	locked, err := s.lockedKeys(ctx, keys)
	if err != nil {
		return models.User{}, "", err
	}
	if len(locked) > 0 {
		s.refused.note(locked, email, ip, s.now())
		return models.User{}, "", s.throttled(latest(locked))
	}
	var until time.Time
	var started bool
	err = s.writer.do(ctx, func(tx *gorm.DB) (err error) {
		if until, started, err = s.countAttempt(tx, keys); err != nil || !started {
			return err
		}
		return s.audit(tx, anonymous, "login_throttled", "session", 0, nil, map[string]any{"email": email, "until": until})
	})
	if err != nil {
		return models.User{}, "", err
	}
	if !until.IsZero() {
		if !started { // locked by a guess sent at the same time: counted as refused
			s.refused.note(map[string]time.Time{keys[0].key: until}, email, ip, s.now())
		}
		return models.User{}, "", s.throttled(until)
	}
	var row userRow
	err = s.r.WithContext(ctx).Where("email = ?", email).Take(&row).Error
	if err != nil && !isNotFound(err) {
		return models.User{}, "", err
	}
	hash := dummyHash()
	if err == nil {
		hash = row.PasswordHash
	}
	match, rehash := checkPassword(hash, in.Password)
	if ok := match && err == nil && row.Active; !ok {
		werr := s.writer.do(ctx, func(tx *gorm.DB) error {
			return s.audit(tx, anonymous, "login_failed", "session", 0, nil, map[string]string{"email": email})
		})
		if werr != nil {
			return models.User{}, "", werr
		}
		return models.User{}, "", models.Errorf(models.EUNAUTHORIZED, "Wrong e-mail or password.")
	}
	newHash := ""
	if rehash { // a bcrypt hash, or older argon2id settings: hash again, now that the password is known
		if newHash, err = hashPassword(in.Password); err != nil {
			return models.User{}, "", err
		}
	}
	secret := NewSecret("fts_")
	err = s.writer.do(ctx, func(tx *gorm.DB) error {
		if newHash != "" {
			if err := tx.Exec("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?", newHash, row.ID, row.PasswordHash).Error; err != nil {
				return err
			}
		}
		if err := tx.Exec("DELETE FROM login_throttles WHERE key = ?", keys[0].key).Error; err != nil {
			return err
		}
		if err := tx.Exec("UPDATE login_throttles SET failures = failures - 1 WHERE key = ? AND failures > 0", keys[1].key).Error; err != nil {
			return err
		}
		exp := s.now().Add(models.SessionTTL)
		t := tokenRow{UserID: row.ID, Kind: models.TokenSession, Name: "login", Scope: models.ScopeWrite, TokenHash: hashToken(secret), CreatedAt: s.now(), ExpiresAt: &exp}
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		actor := models.Actor{UserID: row.ID, Email: email, SourceIP: ip}
		return s.audit(tx, actor, "login", "session", t.ID, nil, map[string]any{"email": email, "expires_at": exp})
	})
	return row.model(), secret, err
}

// throttleKey is what login attempts are counted against, and how many a
// window allows.
type throttleKey struct {
	key string
	max int
}

// countAttempt counts a login attempt against each key within its window. It
// answers the time until which a key is locked (zero when none is), and
// whether this attempt started the lock: a key that already had max
// attempts in the window is locked for a window.
func (s *Store) countAttempt(tx *gorm.DB, keys []throttleKey) (until time.Time, started bool, err error) {
	now := s.now()
	for _, k := range keys {
		if err := tx.Exec("INSERT INTO login_throttles (key, failures, window_start) VALUES (?, 0, ?) ON CONFLICT (key) DO NOTHING",
			k.key, now).Error; err != nil {
			return until, started, err
		}
		var row struct {
			Failures    int
			WindowStart time.Time
			LockedUntil *time.Time
		}
		if err := s.dialect.forUpdate(tx.Table("login_throttles")).Select("failures, window_start, locked_until").
			Where("key = ?", k.key).Take(&row).Error; err != nil {
			return until, started, err
		}
		switch {
		case row.LockedUntil != nil && row.LockedUntil.After(now):
			if row.LockedUntil.After(until) {
				until = *row.LockedUntil
			}
			continue
		case now.Sub(row.WindowStart) > ThrottleWindow:
			row.Failures, row.WindowStart = 0, now
		}
		var locked *time.Time
		if row.Failures >= k.max {
			t := now.Add(ThrottleWindow)
			locked, until, started = &t, t, true
			s.log.Warn("login throttled", "key", k.key, "attempts", row.Failures, "until", t)
		} else {
			row.Failures++
		}
		if err := tx.Exec("UPDATE login_throttles SET failures = ?, window_start = ?, locked_until = ? WHERE key = ?",
			row.Failures, row.WindowStart, locked, k.key).Error; err != nil {
			return until, started, err
		}
	}
	return until, started, nil
}

func latest(m map[string]time.Time) time.Time {
	var t time.Time
	for _, u := range m {
		if u.After(t) {
			t = u
		}
	}
	return t
}

// Authenticate finds the user a live session or API token belongs to, with
// the token (its id, kind and scope). The token's last use is recorded at
// most once a minute.
func (s *Store) Authenticate(ctx context.Context, secret string) (models.User, models.Token, error) {
	var row struct {
		ID         int64
		Email      string
		Role       string
		Active     bool
		CreatedAt  time.Time
		TokenID    int64
		Kind       string
		Scope      string
		LastUsedAt *time.Time
	}
	now := s.now()
	err := s.r.WithContext(ctx).Table("tokens t").
		Select("u.id, u.email, u.role, u.active, u.created_at, t.id AS token_id, t.kind, t.scope, t.last_used_at").
		Joins("JOIN users u ON u.id = t.user_id").
		Where("t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.active = ?", hashToken(secret), now, true).
		Take(&row).Error
	if isNotFound(err) {
		return models.User{}, models.Token{}, models.Errorf(models.EUNAUTHORIZED, "Invalid or expired credentials.")
	}
	if err != nil {
		return models.User{}, models.Token{}, err
	}
	u := userRow{ID: row.ID, Email: row.Email, Role: row.Role, Active: row.Active, CreatedAt: row.CreatedAt}.model()
	if u.Role == models.RoleFundManager {
		users := []models.User{u}
		if err := withFundIDs(s.r.WithContext(ctx), users); err != nil {
			return models.User{}, models.Token{}, err
		}
		u = users[0]
	}
	tok := models.Token{ID: row.TokenID, UserID: row.ID, Kind: row.Kind, Scope: row.Scope, LastUsedAt: row.LastUsedAt}
	if row.LastUsedAt == nil || now.Sub(*row.LastUsedAt) >= TokenUseResolution {
		s.touchToken(ctx, row.TokenID, now)
	}
	return u, tok, nil
}

// TokenUseResolution is how often a token's last use is written at most.
var TokenUseResolution = time.Minute

// touchToken records a token's use (to the minute). A failure is logged, not
// answered: the request it authenticates goes on.
func (s *Store) touchToken(ctx context.Context, id int64, now time.Time) {
	at := now.Truncate(time.Minute)
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		return tx.Exec("UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
			at, id, at).Error
	})
	if err != nil && ctx.Err() == nil {
		s.log.Warn("token last use not recorded", "token_id", id, "error", err)
	}
}

// CreateAPIToken makes a named API token for its owner, read or write, that
// works through its expires_on day (UTC); the secret is shown once.
func (s *Store) CreateAPIToken(ctx context.Context, a models.Actor, in models.TokenInput) (models.Token, error) {
	name, scope, last, err := in.Validate(s.today())
	if err != nil {
		return models.Token{}, err
	}
	secret := NewSecret("fta_")
	var out models.Token
	err = s.writer.do(ctx, func(tx *gorm.DB) error {
		exp := mustDay(last).AddDate(0, 0, 1) // the end of the last day
		t := tokenRow{UserID: a.UserID, Kind: models.TokenAPI, Name: name, Scope: scope, TokenHash: hashToken(secret),
			CreatedAt: s.now(), ExpiresAt: &exp}
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		out = t.model()
		if err := s.audit(tx, a, "create", "token", t.ID, nil, out); err != nil {
			return err
		}
		out.Secret = secret
		return nil
	})
	return out, wrap("create token", err)
}

// Tokens lists a user's tokens (never their secrets), newest first.
func (s *Store) Tokens(ctx context.Context, userID int64, pg models.PageRequest) (models.Page[models.Token], error) {
	var rows []tokenRow
	if err := pageQuery(s.r.WithContext(ctx).Where("user_id = ?", userID), "id", pg).Find(&rows).Error; err != nil {
		return models.Page[models.Token]{}, err
	}
	out := make([]models.Token, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return models.NewPage(out, pg.Limit, func(t models.Token) int64 { return t.ID }), nil
}

// RevokeToken revokes one of the actor's own tokens (a session at logout, or an API token).
func (s *Store) RevokeToken(ctx context.Context, a models.Actor, tokenID int64) error {
	return s.revokeToken(ctx, a, tokenID, false)
}

// RevokeAnyToken revokes any user's token (an admin's call).
func (s *Store) RevokeAnyToken(ctx context.Context, a models.Actor, tokenID int64) error {
	return s.revokeToken(ctx, a, tokenID, true)
}

func (s *Store) revokeToken(ctx context.Context, a models.Actor, tokenID int64, anyUser bool) error {
	return wrap("revoke token", s.writer.do(ctx, func(tx *gorm.DB) error {
		var row tokenRow
		q := tx.Where("id = ?", tokenID)
		if !anyUser {
			q = q.Where("user_id = ?", a.UserID)
		}
		if err := q.Take(&row).Error; err != nil {
			if isNotFound(err) {
				return notFound("token", tokenID)
			}
			return err
		}
		if row.RevokedAt != nil {
			return nil
		}
		now := s.now()
		if err := tx.Model(&tokenRow{}).Where("id = ?", tokenID).Update("revoked_at", now).Error; err != nil {
			return err
		}
		action := "revoke"
		if row.Kind == models.TokenSession {
			action = "logout"
		}
		before := row.model()
		row.RevokedAt = &now
		return s.audit(tx, a, action, "token", tokenID, before, row.model())
	}))
}
