package models

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Issue 11: the e-mail of a reminder, in the donor's language (en, fr, ar),
// as plain text and HTML (Arabic right to left).

// ReminderMailData is what a reminder's e-mail says.
type ReminderMailData struct {
	ReminderID    int64
	PledgeID      int64
	Kind          string // upcoming or overdue
	Language      string
	To            string
	DonorName     string
	FundName      string
	Reference     string // the pledge's reference, else "#id"
	InstalmentSeq int
	Instalments   int // how many instalments the pledge has
	DueOn         Date
	Outstanding   Money // what remains to pay of the instalment
	Currency      string
}

var reminderText = map[string]map[string]string{
	"en": {
		"subject.upcoming": "Payment reminder: {amount} due on {date} — {fund}",
		"subject.overdue":  "Overdue payment: {amount} due on {date} — {fund}",
		"greeting":         "Dear {donor},",
		"body.upcoming":    "This is a reminder that instalment {seq} of {count} of your pledge {ref} to {fund} falls due on {date}. The amount to pay is {amount}.",
		"body.overdue":     "Our records show that instalment {seq} of {count} of your pledge {ref} to {fund}, due on {date}, has not yet been paid in full. The amount outstanding is {amount}.",
		"already":          "If you have already made this payment, thank you, and please disregard this message.",
		"closing":          "With our thanks,",
	},
	// The console's words: "annonce de contribution" (a pledge, the UN's term)
	// and "relance" (a reminder).
	"fr": {
		"subject.upcoming": "Relance avant échéance : {amount} à verser le {date} — {fund}",
		"subject.overdue":  "Relance pour retard de paiement : {amount} dû depuis le {date} — {fund}",
		"greeting":         "Bonjour {donor},",
		"body.upcoming":    "Nous vous rappelons que l’échéance {seq} sur {count} de votre annonce de contribution {ref} ({fund}) arrive le {date}. Le montant à verser est de {amount}.",
		"body.overdue":     "Selon nos registres, l’échéance {seq} sur {count} de votre annonce de contribution {ref} ({fund}), due le {date}, n’a pas encore été entièrement réglée. Le montant restant dû est de {amount}.",
		"already":          "Si vous avez déjà effectué ce paiement, nous vous en remercions ; veuillez ne pas tenir compte de cette relance.",
		"closing":          "Avec nos remerciements,",
	},
	"ar": {
		"subject.upcoming": "تذكير بالدفع: {amount} مستحقة في {date} — {fund}",
		"subject.overdue":  "دفعة متأخرة: {amount} كانت مستحقة في {date} — {fund}",
		"greeting":         "السادة {donor} المحترمون،",
		"body.upcoming":    "نودّ تذكيركم بأن القسط {seq} من {count} من تعهّدكم {ref} لصالح {fund} يحلّ أجله في {date}. والمبلغ الواجب دفعه هو {amount}.",
		"body.overdue":     "تشير سجلاتنا إلى أن القسط {seq} من {count} من تعهّدكم {ref} لصالح {fund}، الذي حلّ أجله في {date}، لم يُسدَّد بالكامل بعد. والمبلغ المتبقي هو {amount}.",
		"already":          "إذا كنتم قد سدّدتم هذه الدفعة بالفعل، فإننا نشكركم ونرجو منكم تجاهل هذه الرسالة.",
		"closing":          "مع خالص الشكر،",
	},
}

// ReminderMail writes a reminder's e-mail.
func ReminderMail(d ReminderMailData) Mail {
	lang := d.Language
	text, ok := reminderText[lang]
	if !ok {
		lang, text = "en", reminderText["en"]
	}
	amount := FormatAmount(d.Outstanding.Amount, d.Outstanding.Places, lang) + " " + d.Currency
	if lang == "fr" {
		amount = FormatAmount(d.Outstanding.Amount, d.Outstanding.Places, lang) + "\u00a0" + d.Currency
	}
	ref := d.Reference
	if ref == "" {
		ref = "#" + strconv.FormatInt(d.PledgeID, 10)
	}
	vals := map[string]string{"{amount}": amount, "{date}": LongDate(d.DueOn, lang), "{fund}": d.FundName, "{donor}": d.DonorName,
		"{ref}": ref, "{seq}": strconv.Itoa(d.InstalmentSeq), "{count}": strconv.Itoa(max(d.Instalments, d.InstalmentSeq))}
	// Plain text: Latin runs isolated in Arabic; HTML: each value in <bdi>.
	plain := func(key string) string {
		s := text[key]
		for k, v := range vals {
			s = strings.ReplaceAll(s, k, Isolate(lang, v))
		}
		return s
	}
	rich := func(key string) template.HTML {
		s := template.HTMLEscapeString(text[key])
		for k, v := range vals {
			s = strings.ReplaceAll(s, k, "<bdi><strong>"+template.HTMLEscapeString(v)+"</strong></bdi>")
		}
		return template.HTML(s)
	}
	kind := d.Kind
	if kind != ReminderOverdue {
		kind = ReminderUpcoming
	}
	subject := plain("subject." + kind)
	body := []string{plain("greeting"), plain("body." + kind)}
	if kind == ReminderOverdue {
		body = append(body, plain("already"))
	}
	body = append(body, plain("closing")+"\n"+Isolate(lang, d.FundName))
	var html strings.Builder
	dir := "ltr"
	if IsRTL(lang) {
		dir = "rtl"
	}
	paras := []template.HTML{rich("greeting"), rich("body." + kind)}
	if kind == ReminderOverdue {
		paras = append(paras, rich("already"))
	}
	_ = reminderHTML.Execute(&html, struct {
		Lang, Dir, Subject string
		Paras              []template.HTML
		Closing, Fund      string
	}{lang, dir, subject, paras, text["closing"], d.FundName})
	return Mail{To: d.To, Subject: subject, Text: strings.Join(body, "\n\n") + "\n", HTML: html.String(), Language: lang,
		ID: "reminder-" + strconv.FormatInt(d.ReminderID, 10)}
}

var reminderHTML = template.Must(template.New("reminder").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body dir="{{.Dir}}" style="font-family: sans-serif; line-height: 1.5; text-align: {{if eq .Dir "rtl"}}right{{else}}left{{end}}">
{{range .Paras}}<p>{{.}}</p>
{{end}}<p>{{.Closing}}<br><bdi>{{.Fund}}</bdi></p>
</body>
</html>
`))

// FormatAmount writes an amount with its decimals and the language's
// separators: the same as the pages' (GroupDigits; Arabic is ar-MA's).
func FormatAmount(d decimal.Decimal, places int32, lang string) string {
	return GroupDigits(lang, d.StringFixed(places))
}
