package handlers

import (
	"github.com/fundtracker/fundtracker/models"
	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"
)

// Issue 15: public answers speak the reader's language.

var langMatcher = language.NewMatcher([]language.Tag{language.English, language.French, language.Arabic})

// Lang is the language of a public answer: ?lang= (en, fr, ar, or a tag such
// as fr-CA), then Accept-Language, then English. A language the fund does not
// speak falls back rather than failing: it is a preference, not data.
func Lang(c *gin.Context) string {
	c.Header("Vary", "Accept-Language")
	lang := matchLang(c.Query("lang"))
	if lang == "" {
		if tags, _, err := language.ParseAcceptLanguage(c.GetHeader("Accept-Language")); err == nil && len(tags) > 0 {
			if _, i, conf := langMatcher.Match(tags...); conf != language.No {
				lang = models.Languages[i]
			}
		}
	}
	if lang == "" {
		lang = models.Languages[0]
	}
	c.Header("Content-Language", lang)
	return lang
}

func matchLang(v string) string {
	if v == "" {
		return ""
	}
	tag, err := language.Parse(v)
	if err != nil {
		return ""
	}
	if _, i, conf := langMatcher.Match(tag); conf >= language.High {
		return models.Languages[i]
	}
	return ""
}
