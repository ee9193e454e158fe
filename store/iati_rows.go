package store

import "github.com/fundtracker/fundtracker/models"

// Helpers for the optional IATI columns of funds and donors (issue 13): the
// columns hold '' when unset, the models nil.

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func valueOf(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func iatiOrgOf(r fundRow) *models.IATIOrg {
	if r.IATIReportingOrgRef == "" {
		return nil
	}
	return &models.IATIOrg{Ref: r.IATIReportingOrgRef, Type: r.IATIReportingOrgType, Name: r.IATIReportingOrgName}
}
