// Package seed loads the IOM Resilience Fund demo: the fund and its first
// contributor, Morocco (announced 29 July 2025), with illustrative figures.
// The fund was launched in June 2025; the demo records are dated between its
// opening (2025-06-01) and 2026-12-01.
// Seeding is idempotent: every record is created with an idempotency key, so
// a second run replays the first answers and writes nothing.
package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"github.com/fundtracker/fundtracker/store"
)

// FundCode is the code of the seeded fund.
const FundCode = "iom-resilience-fund"

// Illustrative marks every invented figure.
const Illustrative = "Illustrative demo data: not an actual amount."

var actor = models.Actor{Email: "seed"}

type seeder struct {
	s   *store.Store
	err error
}

// on returns the store with its clock at noon (UTC) on day d, so that each
// demo record is dated when it happened, not when the demo was loaded.
func (sd *seeder) on(d string) *store.Store {
	t, _ := time.Parse(models.DateLayout, d)
	return sd.s.At(t.Add(12 * time.Hour))
}

func key(name string) store.Idempotency {
	return store.Idempotency{Key: "seed:" + name, Fingerprint: "seed:" + name}
}

// id returns the id of a created record, or of the one a replay answered.
func id(created any, rep *store.Replay) int64 {
	body, _ := json.Marshal(created)
	if rep != nil {
		body = rep.Body
	}
	var v struct {
		ID int64 `json:"id"`
	}
	json.Unmarshal(body, &v)
	return v.ID
}

func ptr[T any](v T) *T { return &v }

func dec(s string) models.DecimalInput { return models.DecimalInput{Raw: s, Set: true} }
func day(s string) models.DateInput    { return models.DateInput{Raw: s, Set: true} }

// Demo loads the demo ledger.
func Demo(ctx context.Context, s *store.Store) error {
	sd := &seeder{s: s}
	fund := sd.fund(ctx)
	sd.rates(ctx)
	morocco := sd.donor(ctx, "morocco", "Kingdom of Morocco", "government", "MA", false, "Royaume du Maroc", "المملكة المغربية")
	nordic := sd.donor(ctx, "nordic", "Nordic government partner (illustrative)", "government", "SE", false,
		"Partenaire gouvernemental nordique (fictif)", "شريك حكومي من بلدان الشمال (افتراضي)")
	leman := sd.donor(ctx, "leman", "Fondation Léman pour la mobilité (illustrative)", "foundation", "CH", false,
		"Fondation Léman pour la mobilité (fictif)", "مؤسسة ليمان للتنقل (افتراضي)")
	atlas := sd.donor(ctx, "atlas", "Atlas Business Council (illustrative)", "private_sector", "MA", false,
		"Conseil d'affaires de l'Atlas (fictif)", "مجلس أعمال الأطلس (افتراضي)")
	private := sd.donor(ctx, "private", "Private donor (illustrative)", "individual", "US", true, "", "")
	sahel := sd.donor(ctx, "sahel", "Sahel Migrant Solidarity Network (illustrative)", "ngo", "SN", false,
		"Réseau sahélien de solidarité avec les migrants (fictif)", "")
	coastal := sd.donor(ctx, "coastal", "Coastal Cities Alliance (illustrative)", "multilateral", "", false, "", "")

	sd.contribution(ctx, "morocco-1", fund, morocco, 0, "1000000.00", "USD", "2025-07-29", "MA-2025-001",
		"First contributor, announced by IOM Director General Amy Pope on 29 July 2025 (Le Maroc, premier contributeur au "+
			"Fonds de résilience; المغرب أول دولة تقدم مساهمة مالية لصندوق الصمود). The announcement gives no amount: "+Illustrative)
	p := sd.pledge(ctx, "nordic", fund, nordic, "4000000.00", "EUR", "2025-09-16", "2026-06-30", "commitment", "SE-2025-017")
	sd.contribution(ctx, "nordic-1", fund, nordic, p, "2000000.00", "EUR", "2025-10-21", "SE-2025-017/1", Illustrative)
	sd.contribution(ctx, "nordic-2", fund, nordic, p, "1000000.00", "EUR", "2026-03-12", "SE-2025-017/2", Illustrative)
	p = sd.pledge(ctx, "leman", fund, leman, "1500000.00", "CHF", "2025-11-05", "2026-12-31", "commitment", "CH-FL-2025-3")
	sd.contribution(ctx, "leman-1", fund, leman, p, "750000.00", "CHF", "2025-12-10", "CH-FL-2025-3/1", Illustrative)
	p = sd.pledge(ctx, "atlas", fund, atlas, "5000000.00", "MAD", "2026-01-20", "2026-09-30", "pledge", "ABC-2026-01")
	sd.contribution(ctx, "atlas-1", fund, atlas, p, "2500000.00", "MAD", "2026-02-14", "ABC-2026-01/1", Illustrative)
	sd.contribution(ctx, "private-1", fund, private, 0, "250000.00", "USD", "2026-01-15", "PRV-2026-001", Illustrative)
	c := sd.contribution(ctx, "sahel-dup", fund, sahel, 0, "50000.00", "EUR", "2026-05-06", "SMSN-2026-05", Illustrative)
	sd.contribution(ctx, "sahel-1", fund, sahel, 0, "50000.00", "EUR", "2026-05-06", "SMSN-2026-05", Illustrative)
	p = sd.pledge(ctx, "coastal", fund, coastal, "500000.00", "EUR", "2025-12-01", "2026-06-30", "pledge", "CCA-2025-12")
	sd.void(ctx, "2026-05-07", c, "Duplicate entry of the same bank transfer (illustrative).")
	sd.cancel(ctx, "2026-03-31", p, "The partner redirected these funds to an earmarked appeal (illustrative).")
	sd.instalments(ctx, fund, sahel, leman, coastal, nordic)
	sd.reminders(ctx, []contact{{nordic, "partnerships.nordic@example.org", "en"},
		{leman, "grants@fondation-leman.example.org", "fr"}, {sahel, "contact@sahel-network.example.org", "fr"},
		{atlas, "finance@atlas-council.example.org", "ar"}})
	if sd.err == nil {
		slog.Info("seeded the IOM Resilience Fund demo", "fund", FundCode)
	}
	return sd.err
}

func (sd *seeder) fail(what string, err error) {
	if sd.err == nil && err != nil {
		sd.err = fmt.Errorf("seed %s: %w", what, err)
	}
}

func (sd *seeder) fund(ctx context.Context) int64 {
	if sd.err != nil {
		return 0
	}
	in := models.FundInput{Code: ptr(FundCode), Name: ptr("IOM Resilience Fund"),
		Organization: ptr("International Organization for Migration (IOM)"),
		Description: ptr("USD 100 million of flexible, unearmarked funding so that IOM can respond at once, wherever " +
			"migrants and crisis-affected communities need it. Launched in June 2025; Morocco was announced as its first " +
			"contributor on 29 July 2025. Amounts in this demo are illustrative."),
		TargetUSD: dec("100000000.00"), OpensOn: day("2025-06-01"),
		// The names and wording of the announcements (../shared/seeds/).
		Translations: map[string]*models.FundTranslationInput{
			"fr": {Name: ptr("Fonds de résilience de l’OIM"),
				Organization: ptr("Organisation internationale pour les migrations (OIM)"),
				Description: ptr("100 millions de dollars de ressources financières non affectées, pour que l’OIM intervienne " +
					"de manière flexible et efficace où le besoin s’en fait sentir, auprès des migrants et des communautés " +
					"touchées par les crises. Lancé en juin 2025 ; le Maroc en a été annoncé premier contributeur le " +
					"29 juillet 2025. Les montants de cette démonstration sont fictifs.")},
			"ar": {Name: ptr("صندوق الصمود"),
				Organization: ptr("المنظمة الدولية للهجرة"),
				Description: ptr("يهدف صندوق الصمود إلى جمع 100 مليون دولار من التمويلات غير المشروطة، من أجل دعم العمليات " +
					"الإنسانية العاجلة للمهاجرين والفئات المتنقلة والمتضررة من الأزمات. أُطلق في يونيو 2025، وأُعلن أن المغرب " +
					"أول دولة تقدم مساهمة مالية له يوم 29 يوليوز 2025. المبالغ الواردة في هذا العرض توضيحية.")},
		}}
	f, rep, err := sd.on("2025-06-01").CreateFund(ctx, actor, in, key("fund"))
	sd.fail("fund", err)
	sd.iati(ctx)
	return id(f, rep)
}

// iati gives the fund its IATI identity (issue 13) unless it has one: IOM's
// IATI organisation identifier (XM-DAC-47066) and an illustrative activity code.
func (sd *seeder) iati(ctx context.Context) {
	if sd.err != nil {
		return
	}
	f, err := sd.s.Fund(ctx, FundCode)
	if err != nil || f.IATIIdentifier != nil {
		sd.fail("fund iati", err)
		return
	}
	org := models.IATIOrgInput{Set: true, Ref: ptr("XM-DAC-47066"), Type: ptr("40"),
		Name: ptr("International Organization for Migration (IOM)")}
	_, err = sd.on("2024-07-01").UpdateFund(ctx, actor, FundCode, models.FundInput{IATIIdentifier: models.Nullable("XM-DAC-47066-RF"),
		IATIReportingOrg: org})
	sd.fail("fund iati", err)
}

func (sd *seeder) rates(ctx context.Context) {
	rates := map[string][]string{ // illustrative units per USD, quarterly
		"EUR": {"0.924", "0.901", "0.962", "0.917", "0.853"},
		"CHF": {"0.895", "0.848", "0.907", "0.884", "0.797"},
		"MAD": {"9.93", "9.77", "10.11", "9.52", "9.03"},
	}
	days := []string{"2025-06-01", "2025-10-01", "2026-01-01", "2026-04-01", "2026-07-01"}
	for _, cur := range []string{"EUR", "CHF", "MAD"} {
		for i, d := range days {
			if sd.err != nil {
				return
			}
			_, _, err := sd.on(d).CreateRate(ctx, actor, models.ExchangeRateInput{Currency: cur, EffectiveOn: day(d),
				UnitsPerUSD: dec(rates[cur][i]), Source: "Illustrative demo rate (not an official UN operational rate)"},
				key("rate:"+cur+":"+d))
			sd.fail("rate", err)
		}
	}
}

func (sd *seeder) donor(ctx context.Context, name, full, kind, country string, anonymous bool, fr, ar string) int64 {
	if sd.err != nil {
		return 0
	}
	names := map[string]*string{}
	if fr != "" {
		names["fr"] = &fr
	}
	if ar != "" {
		names["ar"] = &ar
	}
	d, rep, err := sd.on("2025-06-01").CreateDonor(ctx, actor, models.DonorInput{Name: &full, Kind: &kind, CountryCode: &country,
		Anonymous: &anonymous, DisplayNames: names}, key("donor:"+name))
	sd.fail("donor "+name, err)
	return id(d, rep)
}

func (sd *seeder) pledge(ctx context.Context, name string, fundID, donorID int64, amount, cur, on, due, stage, ref string) int64 {
	return sd.scheduledPledge(ctx, name, fundID, donorID, amount, cur, on, due, stage, ref, "")
}

// scheduledPledge records a pledge; schedule is its JSON schedule (issue 11), "" for none.
func (sd *seeder) scheduledPledge(ctx context.Context, name string, fundID, donorID int64, amount, cur, on, due, stage, ref, schedule string) int64 {
	if sd.err != nil {
		return 0
	}
	in := models.PledgeInput{FundID: fundID, DonorID: donorID, Amount: dec(amount),
		Currency: cur, PledgedOn: day(on), Stage: stage, Reference: ref, Notes: Illustrative}
	if due != "" {
		in.DueOn = day(due)
	}
	if schedule != "" {
		sd.fail("pledge "+name+" schedule", json.Unmarshal([]byte(schedule), &in.Schedule))
	}
	p, rep, err := sd.on(on).CreatePledge(ctx, actor, in, key("pledge:"+name))
	sd.fail("pledge "+name, err)
	return id(p, rep)
}

// instalments seeds the pledges paid in instalments (issue 11), as of the demo's last day
// (2026-12-01): the Sahel network's quarterly pledge with its first instalment paid and two
// overdue; the Léman foundation's second pledge over 2027-2028, entered row by row; the
// Coastal Cities Alliance's pledge, two thirds paid and its last tranche written off; a
// multi-year Nordic pledge, yearly from mid-2027. Payments and the write-off go through the
// store, so the aggregates stay exact.
func (sd *seeder) instalments(ctx context.Context, fund, sahel, leman, coastal, nordic int64) {
	p := sd.scheduledPledge(ctx, "sahel-2026", fund, sahel, "120000.00", "EUR", "2026-02-02", "", "pledge", "SMSN-2026-Q",
		`{"instalments": 4, "every": "quarter", "first_due_on": "2026-03-31"}`)
	sd.contribution(ctx, "sahel-2026-1", fund, sahel, p, "30000.00", "EUR", "2026-04-08", "SMSN-2026-Q/1", Illustrative)
	sd.scheduledPledge(ctx, "leman-2027", fund, leman, "1200000.00", "CHF", "2026-10-15", "", "pledge", "CH-FL-2026-7",
		`[{"due_on": "2027-03-31", "amount": "400000.00"}, {"due_on": "2027-09-30", "amount": "400000.00"},
		  {"due_on": "2028-03-31", "amount": "400000.00"}]`)
	p = sd.scheduledPledge(ctx, "coastal-2026", fund, coastal, "300000.00", "USD", "2026-01-12", "", "pledge", "CCA-2026-01",
		`{"instalments": 3, "every": "quarter", "first_due_on": "2026-03-31"}`)
	sd.contribution(ctx, "coastal-2026-1", fund, coastal, p, "100000.00", "USD", "2026-04-10", "CCA-2026-01/1", Illustrative)
	sd.contribution(ctx, "coastal-2026-2", fund, coastal, p, "100000.00", "USD", "2026-07-14", "CCA-2026-01/2", Illustrative)
	sd.writeOff(ctx, "2026-10-20", p, "The Alliance's 2026 budget was cut: its last tranche will not be paid (illustrative).")
	sd.scheduledPledge(ctx, "nordic-2027", fund, nordic, "6000000.00", "EUR", "2026-11-03", "", "pledge", "SE-2026-041",
		`{"instalments": 3, "every": "year", "first_due_on": "2027-06-30"}`)
}

// reminders sets up payment reminders (issue 11, docs/reminders.md): the fund's policy (14
// days before an instalment falls due, then every 30 days while it is overdue, at most 3
// times) and the contact address and language of a few donors, each only when it is not set
// (so a demo seeded before gains them, and a second run changes nothing). The seed creates
// no reminder: a run does (the scheduler of serve, or POST /reminders/run), and without SMTP
// they stay pending, to be sent by hand.
func (sd *seeder) reminders(ctx context.Context, contacts []contact) {
	if sd.err != nil {
		return
	}
	f, err := sd.s.Fund(ctx, FundCode)
	if err != nil || f.ReminderPolicy != nil {
		sd.fail("reminder policy", err)
	} else {
		policy := models.ReminderPolicyInput{Set: true, Raw: json.RawMessage(`{"before_due_days": 14, "overdue_every_days": 30, "max_overdue": 3}`)}
		_, err = sd.on("2026-10-01").UpdateFund(ctx, actor, FundCode, models.FundInput{ReminderPolicy: policy})
		sd.fail("reminder policy", err)
	}
	for _, c := range contacts {
		if sd.err != nil {
			return
		}
		d, err := sd.s.Donor(ctx, c.donor)
		if err != nil || d.ContactEmail != "" {
			sd.fail("donor contact", err)
			continue
		}
		_, err = sd.on("2026-10-01").UpdateDonor(ctx, actor, c.donor, models.DonorInput{ContactEmail: ptr(c.email), Language: ptr(c.language)})
		sd.fail("donor contact", err)
	}
}

// contact is a donor's contact address and language.
type contact struct {
	donor           int64
	email, language string
}

// writeOff writes off what a pledge still owes, once: a second run finds it written off.
func (sd *seeder) writeOff(ctx context.Context, on string, id int64, reason string) {
	if sd.err != nil {
		return
	}
	p, err := sd.s.Pledge(ctx, id)
	if err != nil || p.WrittenOff.Amount.IsPositive() {
		sd.fail("write-off", err)
		return
	}
	_, _, err = sd.on(on).WriteOffPledge(ctx, actor, id, models.WriteOffInput{Reason: reason}, store.Idempotency{})
	sd.fail("write-off", err)
}

func (sd *seeder) contribution(ctx context.Context, name string, fundID, donorID, pledgeID int64, amount, cur, on, ref, notes string) int64 {
	if sd.err != nil {
		return 0
	}
	in := models.ContributionInput{FundID: fundID, DonorID: donorID, Amount: dec(amount), Currency: cur,
		ReceivedOn: day(on), Reference: ref, Notes: notes}
	if pledgeID != 0 {
		in.PledgeID = &pledgeID
	}
	c, rep, err := sd.on(on).CreateContribution(ctx, actor, in, key("contribution:"+name))
	sd.fail("contribution "+name, err)
	return id(c, rep)
}

// void and cancel are done once: a second run finds them done (409) and moves on.
func (sd *seeder) void(ctx context.Context, on string, id int64, reason string) {
	if sd.err != nil {
		return
	}
	if _, err := sd.on(on).VoidContribution(ctx, actor, id, models.ReasonInput{Reason: reason}); models.ErrorCode(err) != models.ECONFLICT {
		sd.fail("void", err)
	}
}

func (sd *seeder) cancel(ctx context.Context, on string, id int64, reason string) {
	if sd.err != nil {
		return
	}
	if _, err := sd.on(on).CancelPledge(ctx, actor, id, models.ReasonInput{Reason: reason}); models.ErrorCode(err) != models.ECONFLICT {
		sd.fail("cancel", err)
	}
}
