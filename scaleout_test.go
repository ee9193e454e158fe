//go:build reliability && scaleout

// The scale-out suite (issue 6, `make test-scaleout`): two real `fundtracker
// serve` processes on one PostgreSQL schema, as behind a load balancer. It
// stands on the reliability suite's harness (reliability_test.go: the binary
// built once, startServer, client), hence both build tags:
//
//	go test -tags 'reliability scaleout' -count=1 -v -run TestScaleOut .
package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fundtracker/fundtracker/store/storetest"
	"github.com/shopspring/decimal"
)

func TestScaleOut(t *testing.T) {
	dsn := storetest.FreshSchema(t, storetest.DatabaseURL(t))

	// Two instances start at once on an empty schema: both migrate at start
	// (goose under a PostgreSQL advisory lock), both try to create the first admin.
	began := time.Now()
	var a, b *server
	var wg sync.WaitGroup
	wg.Go(func() { a = startServer(t, dsn) })
	wg.Go(func() { b = startServer(t, dsn) })
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	both := []*server{a, b}
	admin := a.login(t, adminEmail, adminPassword)
	clients := []*client{admin, b.client()} // the same bearer token, one per instance
	clients[1].token = admin.token
	for i, c := range clients {
		c.must(t, "GET", "/readyz", nil, http.StatusOK)
		if users := c.all(t, v1+"/users"); len(users) != 1 {
			t.Fatalf("instance %d lists %d users after both started, want the one admin", i, len(users))
		}
	}
	status, err := exec.Command(binary, "migrate", "status", "-db", dsn).Output()
	if err != nil || !strings.Contains(string(status), "applied") || strings.Contains(string(status), "pending") {
		t.Fatalf("fundtracker migrate status: %v\n%s", err, status)
	}
	t.Logf("both instances ready %v after starting together on an empty schema; migrate status:\n%s", time.Since(began).Round(time.Millisecond), status)

	l := newLedger(t, admin, "scale-out", 2)
	currencies := []string{"USD", "EUR", "CHF", "JPY", "KWD"}
	contribution := func(rng *rand.Rand, ref string) map[string]any {
		cur := currencies[rng.IntN(len(currencies))]
		body := l.contribution(l.donors[rng.IntN(len(l.donors))], randomAmount(rng, cur, 10_000_000), cur, randomDay(rng))
		body["reference"] = ref
		return body
	}
	var paid decimal.Decimal // the sum of every contribution's amount_usd as answered
	var count int64
	add := func(r reply) {
		var c created
		r.decode(t, &c)
		paid, count = paid.Add(dec(t, c.AmountUSD)), count+1
	}
	// exact checks paid and the contribution count as read from every instance alive.
	exact := func(t *testing.T, alive []*client) {
		t.Helper()
		for i, c := range alive {
			var p struct {
				Paid              string
				ContributionCount int64 `json:"contribution_count"`
			}
			c.must(t, "GET", fmt.Sprintf("%s/funds/%d/progress", v1, l.fund), nil, http.StatusOK).decode(t, &p)
			if !dec(t, p.Paid).Equal(paid) || p.ContributionCount != count {
				t.Errorf("instance %d: paid %s over %d contributions, the 201 answers sum to %s over %d", i, p.Paid, p.ContributionCount, paid, count)
			}
		}
	}

	t.Run("8 writers x 100 contributions over both instances", func(t *testing.T) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := time.Now()
		for w := range 8 {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(w), 6))
				for i := range 100 {
					r := clients[(w+i)%2].must(t, "POST", v1+"/contributions", contribution(rng, fmt.Sprintf("w%d-%d", w, i)), http.StatusCreated)
					mu.Lock()
					add(r)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		exact(t, clients)
		t.Logf("%d contributions, half through each instance, in %v (%.0f writes/s); paid %s USD read back exactly from both",
			count, elapsed.Round(time.Millisecond), float64(count)/elapsed.Seconds(), paid.StringFixed(2))
	})

	t.Run("one Idempotency-Key sent to both instances at once makes one row and one answer", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(99, 6))
		const races = 20
		replayed := 0
		for r := range races {
			key := fmt.Sprintf("race-%d", r)
			body := contribution(rng, key)
			var answers [2]reply
			var errs [2]error
			gate := make(chan struct{})
			var wg sync.WaitGroup
			for i, c := range clients {
				wg.Go(func() {
					<-gate
					answers[i], errs[i] = c.call("POST", v1+"/contributions", body, "Idempotency-Key", key)
				})
			}
			close(gate)
			wg.Wait()
			if errs[0] != nil || errs[1] != nil || answers[0].Status != http.StatusCreated || answers[1].Status != http.StatusCreated ||
				!bytes.Equal(answers[0].Body, answers[1].Body) {
				t.Fatalf("key %s: A %d %s %v; B %d %s %v: want the same 201 twice", key,
					answers[0].Status, answers[0].Body, errs[0], answers[1].Status, answers[1].Body, errs[1])
			}
			for _, ans := range answers {
				if ans.Header.Get("Idempotent-Replayed") == "true" {
					replayed++
				}
			}
			add(answers[0])
		}
		rows := 0
		for _, raw := range admin.all(t, fmt.Sprintf("%s/contributions?fund_id=%d", v1, l.fund)) {
			if bytes.Contains(raw, []byte(`"reference":"race-`)) {
				rows++
			}
		}
		if rows != races || replayed != races {
			t.Errorf("%d keys raced: %d rows, %d replayed answers; want one row and one replay each", races, rows, replayed)
		}
		exact(t, clients)
		t.Logf("%d keys each sent to both instances at the same moment: %d rows, %d answers replayed", races, rows, replayed)
	})

	t.Run("a token and a cookie issued by one instance work on the other; a logout on one revokes on both", func(t *testing.T) {
		cases := []struct {
			name          string
			issuer, other *server
			credential    func(token, cookie string) []string
		}{
			{"bearer token from A", a, b, func(token, _ string) []string { return []string{"Authorization", "Bearer " + token} }},
			{"session cookie from B", b, a, func(_, cookie string) []string { return []string{"Cookie", cookie} }},
		}
		for _, c := range cases {
			r := c.issuer.client().must(t, "POST", v1+"/auth/login", map[string]string{"email": adminEmail, "password": adminPassword}, http.StatusOK)
			var out struct{ Token string }
			r.decode(t, &out)
			cred := c.credential(out.Token, strings.SplitN(r.Header.Get("Set-Cookie"), ";", 2)[0])
			other := c.other.client()
			other.must(t, "GET", v1+"/auth/me", nil, http.StatusOK, cred...)
			other.must(t, "GET", v1+"/contributions?limit=1", nil, http.StatusOK, cred...)
			other.must(t, "POST", v1+"/auth/logout", nil, http.StatusNoContent, cred...)
			for _, s := range both {
				s.client().must(t, "GET", v1+"/auth/me", nil, http.StatusUnauthorized, cred...)
			}
		}
	})

	t.Run("SIGKILL on one instance mid-stream loses no acknowledged write", func(t *testing.T) {
		type attempt struct {
			key  string
			body map[string]any
			ack  reply // the 201, when one came back
		}
		const writers, perWriter, killAfter = 4, 60, 80
		attempts := make([][]*attempt, writers)
		var acks, unanswered atomic.Int64
		killed := make(chan struct{})
		var once sync.Once
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(100+w), 6))
				for i := range perWriter {
					at := &attempt{key: fmt.Sprintf("kill-%d-%d", w, i)}
					at.body = contribution(rng, at.key)
					attempts[w] = append(attempts[w], at)
					c := clients[(w+i)%2]
					select {
					case <-killed:
						c = clients[0]
					default:
					}
					r, err := c.call("POST", v1+"/contributions", at.body, "Idempotency-Key", at.key)
					switch {
					case err != nil:
						unanswered.Add(1) // B died with it: committed or not, nobody was told
					case r.Status != http.StatusCreated:
						t.Errorf("%s answered %d: %s", at.key, r.Status, r.Body)
					default:
						at.ack = r
						if acks.Add(1) == killAfter {
							once.Do(func() { b.kill(); close(killed) })
						}
					}
				}
			})
		}
		wg.Wait()
		select {
		case <-killed:
		default:
			t.Fatal("B was never killed")
		}
		// Every acknowledged write is on the survivor, as answered. A write
		// left unanswered is retried there with its key: replayed if B
		// committed it before dying, made now if not. Then totals are exact.
		checked, replayed := 0, 0
		for _, ws := range attempts {
			for _, at := range ws {
				if at.ack.Status == http.StatusCreated {
					var want, got created
					at.ack.decode(t, &want)
					admin.must(t, "GET", fmt.Sprintf("%s/contributions/%d", v1, want.ID), nil, http.StatusOK).decode(t, &got)
					if got != want {
						t.Errorf("acknowledged %s: %+v, the survivor has %+v", at.key, want, got)
					}
					checked++
				} else {
					at.ack = admin.must(t, "POST", v1+"/contributions", at.body, http.StatusCreated, "Idempotency-Key", at.key)
					if at.ack.Header.Get("Idempotent-Replayed") == "true" {
						replayed++
					}
				}
				add(at.ack)
			}
		}
		exact(t, clients[:1])
		t.Logf("B killed with SIGKILL after %d acknowledged writes: all %d acknowledged writes on the survivor as answered; %d unanswered retried on A with their key (%d had committed on B and replayed); paid %s USD over %d, exact",
			killAfter, checked, unanswered.Load(), replayed, paid.StringFixed(2), count)
	})
}
