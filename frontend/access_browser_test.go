//go:build browser

package frontend_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Issue 16 in the console: a fund manager writes on its fund only (a write on another fund
// is refused with a clear message), documents are attached by upload, and a viewer sees the
// console without any control that writes.

type idOnly struct {
	ID     int64 `json:"id"`
	FundID int64 `json:"fund_id"`
}

type idList struct {
	Items []idOnly `json:"items"`
}

// accessWorld creates, through the API, a second fund with a pledge, and a fund manager of
// the first fund and a viewer; it answers the pledge ids of each fund.
func accessWorld(t *testing.T) (ownPledge, otherPledge int64, manager, viewer string) {
	admin := staffClient(t)
	var funds, donors, pledges idList
	admin.do(t, http.MethodGet, "/funds", nil, &funds)
	admin.do(t, http.MethodGet, "/donors", nil, &donors)
	own := funds.Items[len(funds.Items)-1].ID // the seeded fund (newest first: the last is the first created)
	stamp := time.Now().UnixNano()
	var other idOnly
	admin.do(t, http.MethodPost, "/funds", map[string]any{"code": fmt.Sprintf("other-%d", stamp), "name": "Other Fund",
		"target_usd": "5000000"}, &other)
	var p idOnly
	admin.do(t, http.MethodPost, "/pledges", map[string]any{"fund_id": other.ID, "donor_id": donors.Items[0].ID, "amount": "1000.00",
		"currency": "USD", "pledged_on": "2025-07-30", "reference": "OTHER"}, &p)
	otherPledge = p.ID
	admin.do(t, http.MethodGet, fmt.Sprintf("/pledges?fund_id=%d&status=open", own), nil, &pledges)
	if len(pledges.Items) == 0 {
		admin.do(t, http.MethodPost, "/pledges", map[string]any{"fund_id": own, "donor_id": donors.Items[0].ID, "amount": "1000.00",
			"currency": "USD", "pledged_on": "2025-07-30"}, &p)
		ownPledge = p.ID
	} else {
		ownPledge = pledges.Items[0].ID
	}
	manager, viewer = fmt.Sprintf("manager-%d@example.org", stamp), fmt.Sprintf("viewer-%d@example.org", stamp)
	var u idOnly
	admin.do(t, http.MethodPost, "/users", map[string]any{"email": manager, "password": adminPassword, "role": "fund_manager", "fund_ids": []int64{own}}, &u)
	admin.do(t, http.MethodPost, "/users", map[string]any{"email": viewer, "password": adminPassword, "role": "viewer"}, &u)
	return ownPledge, otherPledge, manager, viewer
}

func signInAs(t *testing.T, ctx context.Context, email string) {
	t.Helper()
	open(t, ctx, "/staff?lang=en")
	if signedInAs(t, ctx, email) {
		waitFor(t, ctx, `document.querySelector('#access-note')`)
		return
	}
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#login-email"), email),
		chromedp.SendKeys(chromedp.CSS("#login-password"), adminPassword),
		chromedp.Click(chromedp.CSS(`#login-form button[type="submit"]`)),
	))
	waitFor(t, ctx, `!document.querySelector('#console').hidden && document.body.dataset.state === 'ready' && document.querySelector('#access-note')`)
}

// rowButton clicks the button of a list row whose text is label.
func rowButton(t *testing.T, ctx context.Context, list string, id int64, label string) {
	t.Helper()
	sel := fmt.Sprintf(`[data-list=%q] tr[data-id="%d"]`, list, id)
	waitFor(t, ctx, fmt.Sprintf(`[...document.querySelectorAll('%s button')].some((b) => b.textContent === %q)`, sel, label))
	js[bool](t, ctx, fmt.Sprintf(`(() => { [...document.querySelectorAll('%s button')].find((b) => b.textContent === %q).click(); return true; })()`, sel, label))
}

func TestFundManagerConsole(t *testing.T) {
	ctx := tab(t, 1280)
	own, other, manager, _ := accessWorld(t)
	signInAs(t, ctx, manager)
	if note := text(t, ctx, "#access-note"); !strings.Contains(note, "You manage") {
		t.Errorf("access note %q", note)
	}
	// The new-pledge form offers the manager's own fund only.
	if n := js[int](t, ctx, `[...document.querySelectorAll('#pledge-fund option')].filter((o) => o.value && !o.disabled).length`); n != 1 {
		t.Errorf("%d funds offered to the fund manager, want 1", n)
	}
	// A write on another fund's pledge: refused, with a clear message in the dialog.
	rowButton(t, ctx, "pledges", other, "Cancel")
	waitFor(t, ctx, `document.querySelector('#reason-dialog').open`)
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#reason-input"), "Not mine"), chromedp.Click(chromedp.CSS("#reason-confirm"))))
	waitFor(t, ctx, `document.querySelector('#reason-form .form-error').textContent.trim() !== ''`)
	if msg := text(t, ctx, "#reason-form .form-error"); !strings.Contains(msg, "only writes on the funds assigned to you") {
		t.Errorf("refusal shown: %q", msg)
	}
	screenshot(t, ctx, "access-fund-manager-refused")
	js[bool](t, ctx, `(() => { document.querySelector('#reason-dialog').close(); return true; })()`)

	// Documents of the other fund's pledge: listed, no upload.
	rowButton(t, ctx, "pledges", other, "Documents")
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('dialog[data-record="pledge-%d"]')?.open`, other))
	if js[bool](t, ctx, `Boolean(document.querySelector('#document-file'))`) {
		t.Error("an upload form on another fund's pledge")
	}
	js[bool](t, ctx, `(() => { document.querySelector('dialog.documents-dialog').close(); return true; })()`)

	// Documents of its own pledge: uploaded through the form, then listed.
	file := filepath.Join(t.TempDir(), "agreement.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4\n% browser suite\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rowButton(t, ctx, "pledges", own, "Documents")
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('dialog[data-record="pledge-%d"]')?.open && document.querySelector('#document-file')`, own))
	must(t, chromedp.Do(ctx, chromedp.SetUploadFiles("#document-file", []string{file})))
	waitFor(t, ctx, `[...document.querySelectorAll('ul.documents a')].some((a) => a.textContent === 'agreement.pdf')`)
	screenshot(t, ctx, "access-documents")
}

func TestViewerConsoleHasNoWriteControls(t *testing.T) {
	ctx := tab(t, 1280)
	own, _, _, viewer := accessWorld(t)
	signInAs(t, ctx, viewer)
	for _, tabName := range []string{"pledges", "contributions", "donors", "rates"} {
		showTab(t, ctx, tabName)
		writes := js[[]string](t, ctx, `[
			...[...document.querySelectorAll('form')].filter((f) => f.id !== 'login-form' && f.id !== 'filters' && f.id !== 'reason-form').map((f) => 'form#' + f.id),
			...[...document.querySelectorAll('#console button')].filter((b) => b.offsetParent !== null && !b.dataset.tab &&
				!b.classList.contains('documents-button') && b.dataset.action !== 'instalments' && b.id !== 'logout' && b.textContent !== 'Show more').map((b) => 'button ' + b.textContent),
		]`)
		if len(writes) > 0 {
			t.Errorf("%s tab: write controls shown to a viewer: %v", tabName, writes)
		}
	}
	showTab(t, ctx, "pledges")
	rowButton(t, ctx, "pledges", own, "Documents")
	waitFor(t, ctx, `document.querySelector('dialog.documents-dialog')?.open`)
	if js[bool](t, ctx, `Boolean(document.querySelector('#document-file') || document.querySelector('dialog.documents-dialog [data-writes]'))`) {
		t.Error("a viewer's documents dialog offers to write")
	}
	screenshot(t, ctx, "access-viewer")
}

// An admin signs out and a viewer signs in on the same page: the console is built for the
// viewer (staff-access.js shapes it once per page, so the page is loaded afresh), not left
// with the admin's forms and Users tab.
func TestSignOutThenViewerOnSamePage(t *testing.T) {
	ctx := tab(t, 1280)
	_, _, _, viewer := accessWorld(t)
	signIn(t, ctx, "en")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout"))))
	waitFor(t, ctx, `document.body.dataset.state === 'login' && !document.querySelector('#login-section').hidden`)
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#login-email"), viewer),
		chromedp.SendKeys(chromedp.CSS("#login-password"), adminPassword),
		chromedp.Click(chromedp.CSS(`#login-form button[type="submit"]`)),
	))
	// The page reloads on the way: an evaluation cut by it is tried again.
	want := `document.body.dataset.state === 'ready' && Boolean(document.querySelector('#access-note')) &&
		document.querySelector('[data-tab="users"]').hidden && !document.querySelector('#donor-form')`
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](want))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after sign-out, a viewer signed in on the same page does not get a viewer's console (err %v)", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// The admin's Users tab shows every role as it is (a fund manager is not shown as staff) with
// the funds it manages, makes a viewer a fund manager through the fund picker, and is the
// console's only list of users (none below the other tabs).
func TestUsersTabShowsEveryRole(t *testing.T) {
	ctx := tab(t, 1280)
	_, _, manager, viewer := accessWorld(t)
	signIn(t, ctx, "en")
	waitFor(t, ctx, `document.querySelector('[data-list="pledges"] tbody tr')`)
	if n := js[int](t, ctx, `document.querySelectorAll('#users-panel, #user-form').length`); n != 0 {
		t.Errorf("a second users panel below the pledges tab (%d elements)", n)
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-tab="users"]`))))
	row := func(email string) string { return fmt.Sprintf(`#tab-users tr[data-email=%q]`, email) }
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('%s')`, row(manager)))
	if got := js[string](t, ctx, fmt.Sprintf(`(() => { const s = document.querySelector('%s select'); return s.value + '|' + s.selectedOptions[0].textContent; })()`, row(manager))); got != "fund_manager|Fund manager" {
		t.Errorf("the fund manager's role shows as %q, want fund_manager|Fund manager", got)
	}
	if got := js[string](t, ctx, fmt.Sprintf(`document.querySelector('%s .user-funds').textContent`, row(manager))); got == "" {
		t.Error("the fund manager's row shows no funds managed")
	}
	if got := js[string](t, ctx, fmt.Sprintf(`document.querySelector('%s select').value`, row(viewer))); got != "viewer" {
		t.Errorf("the viewer's role shows as %q", got)
	}
	if got := js[string](t, ctx, `[...document.querySelectorAll('#tab-users thead th')].map((th) => th.textContent).join('|')`); !strings.Contains(got, "Funds managed") {
		t.Errorf("the users table's columns are %q, want a Funds managed column", got)
	}
	// The viewer becomes a fund manager: the fund picker asks for its funds first.
	js[bool](t, ctx, fmt.Sprintf(`(() => { const s = document.querySelector('%s select'); s.value = 'fund_manager';
		s.dispatchEvent(new Event('change')); return true; })()`, row(viewer)))
	waitFor(t, ctx, `document.querySelector('#edit-dialog').open && document.querySelector('#edit-fund_ids input[type="checkbox"]')`)
	js[bool](t, ctx, `(() => { document.querySelector('#edit-fund_ids input[type="checkbox"]').click(); return true; })()`)
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#edit-save"))))
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('%s')?.dataset.role === 'fund_manager' && document.querySelector('%s .user-funds').textContent !== ''`, row(viewer), row(viewer)))
	var users struct {
		Items []struct {
			Email   string  `json:"email"`
			Role    string  `json:"role"`
			FundIDs []int64 `json:"fund_ids"`
		} `json:"items"`
	}
	staffClient(t).do(t, http.MethodGet, "/users?limit=1000", nil, &users)
	for _, u := range users.Items {
		if u.Email == viewer && (u.Role != "fund_manager" || len(u.FundIDs) != 1) {
			t.Errorf("after the change %s is %s of funds %v, want fund_manager of one fund", viewer, u.Role, u.FundIDs)
		}
	}
	screenshot(t, ctx, "console-users-roles-en")
}
