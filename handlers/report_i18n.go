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
		"col.pledge_id": "Pledge ID", "col.received_on": "Received on", "col.amount": "Amount", "col.currency": "Currency",
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
	},
	"fr": {
		"sheet.contributions": "Contributions", "sheet.pledges": "Promesses", "sheet.donors": "Donateurs", "sheet.summary": "Synthèse",
		"col.id": "ID", "col.fund_code": "Fonds", "col.donor_id": "ID donateur", "col.donor_name": "Donateur", "col.donor_country": "Pays du donateur",
		"col.pledge_id": "ID promesse", "col.received_on": "Reçu le", "col.amount": "Montant", "col.currency": "Devise",
		"col.exchange_rate": "Taux de change (par USD)", "col.amount_usd": "Montant (USD)", "col.earmarking": "Affectation",
		"col.reference": "Référence", "col.notes": "Notes", "col.voided": "Annulée", "col.void_reason": "Motif d’annulation",
		"col.voided_at": "Annulée le (UTC)", "col.created_at": "Créée le (UTC)", "col.created_by": "Créée par", "col.stage": "Étape",
		"col.pledged_on": "Promise le", "col.due_on": "Échéance", "col.paid": "Versé", "col.paid_usd": "Versé (USD)",
		"col.outstanding": "Restant dû", "col.outstanding_usd": "Restant dû (USD)", "col.status": "Statut",
		"col.cancel_reason": "Motif d’annulation", "col.cancelled_at": "Annulée le (UTC)", "col.name": "Donateur", "col.kind": "Type",
		"col.country_code": "Pays", "col.pledged": "Promis", "col.share_of_paid_percent": "Part du versé (%)",
		"summary.title": "Synthèse", "summary.generated_at": "Généré le (UTC)", "summary.rows": "Lignes",
		"summary.filters": "Filtres", "summary.no_filter": "Aucun : tous les enregistrements", "summary.totals": "Totaux",
		"summary.records": "Enregistrements", "summary.count": "Nombre", "summary.group.live": "En vigueur",
		"summary.group.voided": "Annulées", "summary.group.cancelled": "Annulées", "summary.all_in_usd": "Toutes devises, en USD",
	},
	"ar": {
		"sheet.contributions": "المساهمات", "sheet.pledges": "التعهدات", "sheet.donors": "المانحون", "sheet.summary": "الملخص",
		"col.id": "المعرّف", "col.fund_code": "الصندوق", "col.donor_id": "معرّف المانح", "col.donor_name": "المانح", "col.donor_country": "بلد المانح",
		"col.pledge_id": "معرّف التعهد", "col.received_on": "تاريخ الاستلام", "col.amount": "المبلغ", "col.currency": "العملة",
		"col.exchange_rate": "سعر الصرف (لكل دولار)", "col.amount_usd": "المبلغ (دولار أمريكي)", "col.earmarking": "التخصيص",
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
	},
}
