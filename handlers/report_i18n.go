package handlers

// Translations of the workbooks' headers and summaries and of the printed
// fund report (issue 13), in the languages of the pages: en, fr, ar. They live
// here, beside the code that writes them, rather than in the frontend's
// dictionaries, because the server renders them into files, not pages.

// translate answers the text of key in lang, falling back to English, then to the key.
func translate(lang, key string) string {
	if s, ok := reportText[lang][key]; ok {
		return s
	}
	if s, ok := reportText["en"][key]; ok {
		return s
	}
	return key
}

var reportText = map[string]map[string]string{
	"en": {
		"sheet.contributions": "Contributions", "sheet.pledges": "Pledges", "sheet.donors": "Donors", "sheet.summary": "Summary",
		"col.id": "ID", "col.fund_code": "Fund", "col.donor_id": "Donor ID", "col.donor_name": "Donor", "col.donor_country": "Donor country",
		"col.pledge_id": "Pledge ID", "col.pledge_reference": "Pledge reference", "col.received_on": "Received on", "col.amount": "Amount", "col.currency": "Currency",
		"col.exchange_rate": "Exchange rate (per USD)", "col.amount_usd": "Amount (USD)", "col.earmarking": "Earmarking",
		"col.reference": "Reference", "col.notes": "Notes", "col.voided": "Voided", "col.void_reason": "Void reason",
		"col.voided_at": "Voided at (UTC)", "col.created_at": "Created at (UTC)", "col.created_by": "Created by", "col.stage": "Stage",
		"col.pledged_on": "Pledged on", "col.due_on": "Due on", "col.paid": "Paid", "col.paid_usd": "Paid (USD)",
		"col.outstanding": "Outstanding", "col.outstanding_usd": "Outstanding (USD)", "col.status": "Status",
		"col.cancel_reason": "Cancel reason", "col.cancelled_at": "Cancelled at (UTC)", "col.name": "Donor", "col.kind": "Kind",
		"col.country_code": "Country", "col.pledged": "Pledged", "col.share_of_paid_percent": "Share of paid (%)",
		"summary.title": "Summary", "summary.generated_at": "Generated at (UTC)", "summary.rows": "Rows",
		"summary.filters": "Filters", "summary.no_filter": "None: every record", "summary.totals": "Totals",
		"summary.records": "Records", "summary.count": "Count", "summary.group.live": "Live",
		"summary.group.voided": "Voided", "summary.group.cancelled": "Cancelled", "summary.all_in_usd": "All currencies, in USD",
		// Issue 11: ageing, write-offs and instalments.
		"sheet.ageing": "Ageing", "col.instalment_seq": "Instalment", "col.days_overdue": "Days overdue", "col.bucket": "Ageing",
		"col.written_off": "Written off", "col.written_off_usd": "Written off (USD)", "col.next_due_on": "Next due on",
		"summary.group.current": "Not yet due", "summary.group.1-30": "1–30 days overdue", "summary.group.31-90": "31–90 days overdue",
		"summary.group.91-180": "91–180 days overdue", "summary.group.over_180": "Over 180 days overdue",
		"report.title": "Fund report", "report.period": "Period", "report.as_of": "as of", "report.generated": "Generated",
		"report.in_usd": "figures in US dollars unless stated", "report.headline": "Headline figures", "report.target": "Target",
		"report.paid": "Paid", "report.outstanding": "Outstanding", "report.pledged": "Pledged", "report.donors": "Donors",
		"report.contributions": "Contributions", "report.chart": "Cumulative money received against the target",
		"report.paid_cumulative": "Cumulative paid (USD)", "report.received": "Money received in the period",
		"report.received_total": "Received in the period:", "report.contributions_lc": "contributions",
		"report.by_donor": "By donor", "report.donor": "Donor", "report.count": "Count", "report.by_currency": "By currency",
		"report.currency": "Currency", "report.amount": "Amount", "report.by_earmarking": "By earmarking", "report.earmarking": "Earmarking",
		"report.none": "None.", "report.outstanding_pledges": "Outstanding pledges", "report.outstanding_total": "Outstanding in all:",
		"report.stage": "Stage", "report.pledged_on": "Pledged on", "report.due_on": "Due on", "report.overdue": "overdue",
		"report.earmarking.unearmarked": "Unearmarked", "report.earmarking.softly_earmarked": "Softly earmarked",
		"report.earmarking.earmarked": "Earmarked", "report.stage.pledge": "Pledge", "report.stage.commitment": "Commitment",
		"report.footnote": "From the fund's books as they stood at the end of the day shown: voided contributions and cancelled pledges are left out; USD values at each record's own rate. Anonymous donors are not named.",
	},
	"fr": {
		"sheet.contributions": "Contributions", "sheet.pledges": "Annonces de contributions", "sheet.donors": "Donateurs", "sheet.summary": "Synthèse",
		"col.id": "ID", "col.fund_code": "Fonds", "col.donor_id": "ID donateur", "col.donor_name": "Donateur", "col.donor_country": "Pays du donateur",
		"col.pledge_id": "ID de l’annonce", "col.pledge_reference": "Référence de l’annonce", "col.received_on": "Reçu le", "col.amount": "Montant", "col.currency": "Devise",
		"col.exchange_rate": "Taux de change (par USD)", "col.amount_usd": "Montant (USD)", "col.earmarking": "Affectation",
		"col.reference": "Référence", "col.notes": "Notes", "col.voided": "Annulée", "col.void_reason": "Motif d’annulation",
		"col.voided_at": "Annulée le (UTC)", "col.created_at": "Créée le (UTC)", "col.created_by": "Créée par", "col.stage": "Étape",
		"col.pledged_on": "Annoncée le", "col.due_on": "Échéance", "col.paid": "Versé", "col.paid_usd": "Versé (USD)",
		"col.outstanding": "Restant dû", "col.outstanding_usd": "Restant dû (USD)", "col.status": "Statut",
		"col.cancel_reason": "Motif d’annulation", "col.cancelled_at": "Annulée le (UTC)", "col.name": "Donateur", "col.kind": "Type",
		"col.country_code": "Pays", "col.pledged": "Annoncé", "col.share_of_paid_percent": "Part du versé (%)",
		"summary.title": "Synthèse", "summary.generated_at": "Généré le (UTC)", "summary.rows": "Lignes",
		"summary.filters": "Filtres", "summary.no_filter": "Aucun : tous les enregistrements", "summary.totals": "Totaux",
		"summary.records": "Enregistrements", "summary.count": "Nombre", "summary.group.live": "En vigueur",
		"summary.group.voided": "Annulées", "summary.group.cancelled": "Annulées", "summary.all_in_usd": "Toutes devises, en USD",
		"sheet.ageing": "Ancienneté", "col.instalment_seq": "Échéance n°", "col.days_overdue": "Jours de retard", "col.bucket": "Ancienneté",
		"col.written_off": "Passé en perte", "col.written_off_usd": "Passé en perte (USD)", "col.next_due_on": "Prochaine échéance",
		"summary.group.current": "Non échu", "summary.group.1-30": "1 à 30 jours de retard", "summary.group.31-90": "31 à 90 jours de retard",
		"summary.group.91-180": "91 à 180 jours de retard", "summary.group.over_180": "Plus de 180 jours de retard",
		"report.title": "Rapport du fonds", "report.period": "Période", "report.as_of": "au", "report.generated": "Généré le",
		"report.in_usd": "montants en dollars des États-Unis sauf mention contraire", "report.headline": "Chiffres clés", "report.target": "Objectif",
		"report.paid": "Versé", "report.outstanding": "Restant dû", "report.pledged": "Annoncé", "report.donors": "Donateurs",
		"report.contributions": "Contributions", "report.chart": "Montants reçus cumulés par rapport à l’objectif",
		"report.paid_cumulative": "Versé cumulé (USD)", "report.received": "Fonds reçus pendant la période",
		"report.received_total": "Reçu pendant la période :", "report.contributions_lc": "contributions",
		"report.by_donor": "Par donateur", "report.donor": "Donateur", "report.count": "Nombre", "report.by_currency": "Par devise",
		"report.currency": "Devise", "report.amount": "Montant", "report.by_earmarking": "Par affectation", "report.earmarking": "Affectation",
		"report.none": "Aucun.", "report.outstanding_pledges": "Annonces de contributions en attente de versement", "report.outstanding_total": "Restant dû au total :",
		"report.stage": "Étape", "report.pledged_on": "Annoncée le", "report.due_on": "Échéance", "report.overdue": "en retard",
		"report.earmarking.unearmarked": "Non affectée", "report.earmarking.softly_earmarked": "Partiellement affectée",
		"report.earmarking.earmarked": "Affectée", "report.stage.pledge": "Annonce de contribution", "report.stage.commitment": "Engagement",
		"report.footnote": "D’après les livres du fonds à la fin du jour indiqué : contributions et annonces de contributions annulées exclues ; valeurs en USD au taux propre à chaque enregistrement. Les donateurs anonymes ne sont pas nommés.",
	},
	"ar": {
		"sheet.contributions": "المساهمات", "sheet.pledges": "التعهدات", "sheet.donors": "المانحون", "sheet.summary": "الملخص",
		"col.id": "المعرّف", "col.fund_code": "الصندوق", "col.donor_id": "معرّف المانح", "col.donor_name": "المانح", "col.donor_country": "بلد المانح",
		"col.pledge_id": "معرّف التعهد", "col.pledge_reference": "مرجع التعهد", "col.received_on": "تاريخ الاستلام", "col.amount": "المبلغ", "col.currency": "العملة",
		"col.exchange_rate": "سعر الصرف (لكل دولار)", "col.amount_usd": "المبلغ (دولار أمريكي)", "col.earmarking": "الشروط",
		"col.reference": "المرجع", "col.notes": "ملاحظات", "col.voided": "ملغاة", "col.void_reason": "سبب الإلغاء",
		"col.voided_at": "تاريخ الإلغاء (UTC)", "col.created_at": "تاريخ الإنشاء (UTC)", "col.created_by": "أنشأها", "col.stage": "المرحلة",
		"col.pledged_on": "تاريخ التعهد", "col.due_on": "تاريخ الاستحقاق", "col.paid": "المدفوع", "col.paid_usd": "المدفوع (دولار أمريكي)",
		"col.outstanding": "المتبقي", "col.outstanding_usd": "المتبقي (دولار أمريكي)", "col.status": "الحالة",
		"col.cancel_reason": "سبب الإلغاء", "col.cancelled_at": "تاريخ الإلغاء (UTC)", "col.name": "المانح", "col.kind": "النوع",
		"col.country_code": "البلد", "col.pledged": "المتعهد به", "col.share_of_paid_percent": "الحصة من المدفوع (%)",
		"summary.title": "الملخص", "summary.generated_at": "تاريخ الإنشاء (UTC)", "summary.rows": "عدد الصفوف",
		"summary.filters": "عوامل التصفية", "summary.no_filter": "لا شيء: كل السجلات", "summary.totals": "المجاميع",
		"summary.records": "السجلات", "summary.count": "العدد", "summary.group.live": "سارية",
		"summary.group.voided": "ملغاة", "summary.group.cancelled": "ملغاة", "summary.all_in_usd": "كل العملات، بالدولار الأمريكي",
		"sheet.ageing": "أعمار المستحقات", "col.instalment_seq": "رقم القسط", "col.days_overdue": "أيام التأخير", "col.bucket": "فئة التأخير",
		"col.written_off": "المشطوب", "col.written_off_usd": "المشطوب (دولار أمريكي)", "col.next_due_on": "الاستحقاق التالي",
		"summary.group.current": "غير مستحق بعد", "summary.group.1-30": "متأخر من 1 إلى 30 يوماً", "summary.group.31-90": "متأخر من 31 إلى 90 يوماً",
		"summary.group.91-180": "متأخر من 91 إلى 180 يوماً", "summary.group.over_180": "متأخر أكثر من 180 يوماً",
		"report.title": "تقرير الصندوق", "report.period": "الفترة", "report.as_of": "حتى", "report.generated": "أُنشئ في",
		"report.in_usd": "المبالغ بالدولار الأمريكي ما لم يُذكر غير ذلك", "report.headline": "الأرقام الرئيسية", "report.target": "الهدف",
		"report.paid": "المدفوع", "report.outstanding": "المتبقي", "report.pledged": "المتعهد به", "report.donors": "المانحون",
		"report.contributions": "المساهمات", "report.chart": "الأموال المستلمة المتراكمة مقارنة بالهدف",
		"report.paid_cumulative": "المدفوع المتراكم (دولار أمريكي)", "report.received": "الأموال المستلمة خلال الفترة",
		"report.received_total": "المستلم خلال الفترة:", "report.contributions_lc": "مساهمات",
		"report.by_donor": "حسب المانح", "report.donor": "المانح", "report.count": "العدد", "report.by_currency": "حسب العملة",
		"report.currency": "العملة", "report.amount": "المبلغ", "report.by_earmarking": "حسب الشروط", "report.earmarking": "الشروط",
		"report.none": "لا شيء.", "report.outstanding_pledges": "التعهدات غير المسددة", "report.outstanding_total": "إجمالي المتبقي:",
		"report.stage": "المرحلة", "report.pledged_on": "تاريخ التعهد", "report.due_on": "تاريخ الاستحقاق", "report.overdue": "متأخر",
		"report.earmarking.unearmarked": "غير مشروطة", "report.earmarking.softly_earmarked": "مشروطة جزئياً",
		"report.earmarking.earmarked": "مشروطة", "report.stage.pledge": "تعهد", "report.stage.commitment": "التزام",
		"report.footnote": "من دفاتر الصندوق كما كانت في نهاية اليوم المذكور: تُستبعد المساهمات الملغاة والتعهدات الملغاة؛ القيم بالدولار بسعر كل سجل. لا يُذكر المانحون المجهولون بالاسم.",
	},
}
