package models

// Issue 12: the import templates' headers in the pages' languages (en, fr,
// ar). A template downloaded in French or Arabic must import as it is, so
// MapColumns reads these headers too (folded by NormalizeHeader: case,
// accents and Arabic hamza and short vowels do not matter).

// importTemplateColumns are the columns of each kind's template, in order:
// references by code and name (what a spreadsheet holds), not by id. The ids
// (fund_id, donor_id, pledge_id) are still read when a file has them.
var importTemplateColumns = map[string][]string{
	ImportDonors: {"name", "kind", "country_code", "anonymous", "contact_email", "iati_org_ref", "language"},
	ImportPledges: {"fund_code", "donor_name", "donor_country", "amount", "currency", "pledged_on", "due_on", "stage",
		"earmarking", "exchange_rate", "reference", "notes"},
	ImportContributions: {"fund_code", "donor_name", "donor_country", "pledge_reference", "amount", "currency", "received_on",
		"exchange_rate", "earmarking", "reference", "notes"},
	ImportRates: {"currency", "effective_on", "units_per_usd", "source"},
}

// ImportTemplateColumns lists the fields of a kind's template, in order.
func ImportTemplateColumns(kind string) []string { return importTemplateColumns[kind] }

// importHeaderLabels are the headers of each field per language: the first is
// the template's; the others are read too (the column names of our XLSX
// exports in that language, so that a French or Arabic export re-imports).
// The English headers fold to the field names themselves ("Fund code" =
// fund_code).
var importHeaderLabels = map[string]map[string][]string{
	"en": {
		"fund_id": {"Fund ID"}, "fund_code": {"Fund code"}, "donor_id": {"Donor ID"}, "donor_name": {"Donor name"},
		"donor_country": {"Donor country"}, "pledge_id": {"Pledge ID"}, "pledge_reference": {"Pledge reference"},
		"amount": {"Amount"}, "currency": {"Currency"}, "received_on": {"Received on"}, "pledged_on": {"Pledged on"},
		"due_on": {"Due on"}, "stage": {"Stage"}, "earmarking": {"Earmarking"}, "exchange_rate": {"Exchange rate"},
		"reference": {"Reference"}, "notes": {"Notes"}, "voided": {"Voided"}, "status": {"Status"},
		"name": {"Name"}, "kind": {"Kind"}, "country_code": {"Country code"}, "anonymous": {"Anonymous"},
		"contact_email": {"Contact email"}, "iati_org_ref": {"IATI org ref"}, "language": {"Language"},
		"effective_on": {"Effective on"}, "units_per_usd": {"Units per USD"}, "source": {"Source"},
	},
	"fr": {
		"fund_id": {"ID du fonds"}, "fund_code": {"Code du fonds", "Fonds"}, "donor_id": {"ID du donateur", "ID donateur"},
		"donor_name": {"Nom du donateur", "Donateur"}, "donor_country": {"Pays du donateur"},
		"pledge_id": {"ID de l’annonce", "ID de la promesse", "ID promesse"}, "pledge_reference": {"Référence de l’annonce", "Référence de la promesse"},
		"amount": {"Montant"}, "currency": {"Devise"}, "received_on": {"Reçu le"}, "pledged_on": {"Annoncée le", "Promis le", "Promise le"},
		"due_on": {"Échéance"}, "stage": {"Étape"}, "earmarking": {"Affectation"},
		"exchange_rate": {"Taux de change (par USD)", "Taux de change"}, "reference": {"Référence"}, "notes": {"Notes"},
		"voided": {"Annulée"}, "status": {"Statut"},
		"name": {"Nom", "Donateur"}, "kind": {"Type"}, "country_code": {"Code pays", "Pays"}, "anonymous": {"Anonyme"},
		"contact_email": {"Courriel de contact", "E-mail de contact"}, "iati_org_ref": {"Référence IATI de l’organisation"}, "language": {"Langue"},
		"effective_on": {"En vigueur le", "Date d’effet"}, "units_per_usd": {"Unités par USD"}, "source": {"Source"},
	},
	"ar": {
		"fund_id": {"معرّف الصندوق"}, "fund_code": {"رمز الصندوق", "الصندوق"}, "donor_id": {"معرّف المانح"},
		"donor_name": {"اسم المانح", "المانح"}, "donor_country": {"بلد المانح"}, "pledge_id": {"معرّف التعهد"},
		"pledge_reference": {"مرجع التعهد"}, "amount": {"المبلغ"}, "currency": {"العملة"}, "received_on": {"تاريخ الاستلام"},
		"pledged_on": {"تاريخ التعهد"}, "due_on": {"تاريخ الاستحقاق"}, "stage": {"المرحلة"}, "earmarking": {"الشروط", "التخصيص"},
		"exchange_rate": {"سعر الصرف (لكل دولار)", "سعر الصرف"}, "reference": {"المرجع"}, "notes": {"ملاحظات"},
		"voided": {"ملغاة"}, "status": {"الحالة"},
		"name": {"الاسم", "المانح"}, "kind": {"النوع"}, "country_code": {"رمز البلد", "البلد"}, "anonymous": {"مجهول الهوية"},
		"contact_email": {"البريد الإلكتروني للتواصل"}, "iati_org_ref": {"مرجع المنظمة في IATI"}, "language": {"اللغة"},
		"effective_on": {"تاريخ السريان"}, "units_per_usd": {"الوحدات لكل دولار أمريكي"}, "source": {"المصدر"},
	},
}

// ImportHeader is a field's template header in lang (English when lang is
// not one of the pages' languages).
func ImportHeader(field, lang string) string {
	if l, ok := importHeaderLabels[lang][field]; ok {
		return l[0]
	}
	if l, ok := importHeaderLabels["en"][field]; ok {
		return l[0]
	}
	return field
}

// importLabelIndex maps, per kind, every folded header label of every
// language to the field it names (only the kind's own fields).
var importLabelIndex = func() map[string]map[string]string {
	out := map[string]map[string]string{}
	for kind := range importFields {
		idx := map[string]string{}
		for _, f := range importReadFields(kind) {
			for _, lang := range Languages {
				for _, label := range importHeaderLabels[lang][f] {
					idx[NormalizeHeader(label)] = f
				}
			}
		}
		out[kind] = idx
	}
	return out
}()

// importReadFields are the fields a kind reads: its own and, for pledges, an
// export's status.
func importReadFields(kind string) []string {
	own := append([]string{}, importFields[kind]...)
	if kind == ImportPledges {
		own = append(own, "status")
	}
	return own
}
