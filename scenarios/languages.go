package scenarios

import (
	"fmt"
	"slices"
	"strings"
)

// NameTranslation is a team's, actor's or group's display name in another
// language.
type NameTranslation struct {
	Name string `yaml:"name"`
	Pos  Pos    `yaml:"-"`
}

// AttachmentTranslation is an attachment's name, and optionally its content,
// in another language; without content the original content is delivered.
type AttachmentTranslation struct {
	Name    string `yaml:"name"`
	Content string `yaml:"content"`
	Pos     Pos    `yaml:"-"`
}

// ExerciseTranslation is the exercise's title, description and start
// conditions in another language.
type ExerciseTranslation struct {
	Title           string `yaml:"title"`
	Description     string `yaml:"description"`
	StartConditions string `yaml:"start_conditions"`
	Pos             Pos    `yaml:"-"`
}

// ObjectiveTranslation is an objective's text in another language.
type ObjectiveTranslation struct {
	Text string `yaml:"text"`
	Pos  Pos    `yaml:"-"`
}

// IncidentTranslation is an incident's title in another language.
type IncidentTranslation struct {
	Title string `yaml:"title"`
	Pos   Pos    `yaml:"-"`
}

// ExerciseIn returns the exercise's title, description and start
// conditions in lang, each as written where it is not translated.
func (s *Scenario) ExerciseIn(lang string) ExerciseTranslation {
	e := &s.Exercise
	out := ExerciseTranslation{Title: e.Title, Description: e.Description, StartConditions: e.StartConditions}
	tr := e.Translations[lang]
	out.Title = firstNonBlank(tr.Title, out.Title)
	out.Description = firstNonBlank(tr.Description, out.Description)
	out.StartConditions = firstNonBlank(tr.StartConditions, out.StartConditions)
	return out
}

// TextIn returns the objective's text in lang, or as written.
func (o *Objective) TextIn(lang string) string {
	return firstNonBlank(o.Translations[lang].Text, o.Text)
}

// TitleIn returns the incident's title in lang, or as written.
func (inc *Incident) TitleIn(lang string) string {
	return firstNonBlank(inc.Translations[lang].Title, inc.Title)
}

// TitleIn returns the inject's title in lang, or as written. The title
// keeps its {{...}} variables; Render fills them for a receiving team.
func (in *Inject) TitleIn(lang string) string {
	return firstNonBlank(in.Translations[lang].Title, in.Title)
}

func firstNonBlank(texts ...string) string {
	for _, t := range texts {
		if strings.TrimSpace(t) != "" {
			return t
		}
	}
	return ""
}

// ContentLanguages returns the languages the scenario promises its content
// in: the exercise's language first (en when unset), then every other
// language of exercise.languages in the order written.
func (s *Scenario) ContentLanguages() []string {
	out := []string{s.originalLanguage()}
	for _, l := range s.Exercise.Languages {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// TranslationLanguages returns the declared languages other than the one the
// scenario is written in: those every player-visible text must be
// translated into.
func (s *Scenario) TranslationLanguages() []string {
	return s.ContentLanguages()[1:]
}

func (s *Scenario) originalLanguage() string {
	if s.Exercise.Language == "" {
		return "en"
	}
	return s.Exercise.Language
}

// PartyName returns the display name of a team, actor or group in lang when
// the scenario translates it, else as written; an unknown id is returned
// unchanged.
func (s *Scenario) PartyName(id, lang string) string {
	name, translations := id, map[string]NameTranslation(nil)
	if t, ok := s.Team(id); ok {
		name, translations = t.Name, t.Translations
	} else if a, ok := s.Actor(id); ok {
		name, translations = a.Name, a.Translations
	} else if i := slices.IndexFunc(s.Groups, func(g Group) bool { return g.ID == id }); i >= 0 {
		name, translations = s.Groups[i].Name, s.Groups[i].Translations
	}
	if tr, ok := translations[lang]; ok && strings.TrimSpace(tr.Name) != "" {
		return tr.Name
	}
	return name
}

// NameIn returns the attachment's name and content in lang when it is
// translated, else as written.
func (a *Attachment) NameIn(lang string) (name, content string) {
	name, content = a.Name, a.Content
	if tr, ok := a.Translations[lang]; ok {
		if strings.TrimSpace(tr.Name) != "" {
			name = tr.Name
		}
		if strings.TrimSpace(tr.Content) != "" {
			content = tr.Content
		}
	}
	return name, content
}

// LanguageCoverage is how much of a scenario's player-visible text one
// declared language covers.
type LanguageCoverage struct {
	Language string
	// Injects counts the injects whose title, body and attachment names
	// are all translated, out of InjectTotal; MissingInjects lists the
	// others by id.
	Injects, InjectTotal int
	MissingInjects       []string
	// Prompts counts the translated expectation prompts, out of
	// PromptTotal; MissingPrompts lists the others as "INJECT.EXPECTATION".
	Prompts, PromptTotal int
	MissingPrompts       []string
	// Names counts the translated display names of the teams, actors and
	// groups whose names are translated into some language, out of
	// NameTotal; MissingNames lists the others by id.
	Names, NameTotal int
	MissingNames     []string
	// Texts counts the translated exercise title, description and start
	// conditions, objective texts and incident titles, out of TextTotal;
	// MissingTexts names the others ("title of the exercise", "text of
	// objective O1", "title of incident INC1").
	Texts, TextTotal int
	MissingTexts     []string
}

// Complete reports whether every player-visible text is in the language.
func (c LanguageCoverage) Complete() bool {
	return len(c.MissingInjects)+len(c.MissingPrompts)+len(c.MissingNames)+len(c.MissingTexts) == 0
}

// String summarises the coverage as "es 28/28 injects, 30/30 prompts, 9/9
// names, 10/10 exercise texts", followed by what is missing.
func (c LanguageCoverage) String() string {
	s := fmt.Sprintf("%s %d/%d injects, %d/%d prompts, %d/%d names, %d/%d exercise texts", c.Language,
		c.Injects, c.InjectTotal, c.Prompts, c.PromptTotal, c.Names, c.NameTotal, c.Texts, c.TextTotal)
	missing := slices.Concat(c.MissingInjects, c.MissingPrompts, c.MissingNames, c.MissingTexts)
	if len(missing) > 0 {
		s += ": missing " + strings.Join(missing, ", ")
	}
	return s
}

// Coverage returns, for each language the scenario translates into (see
// TranslationLanguages), how much of its player-visible text is translated.
func (s *Scenario) Coverage() []LanguageCoverage {
	var out []LanguageCoverage
	for _, lang := range s.TranslationLanguages() {
		c := LanguageCoverage{Language: lang}
		check := &languageCheck{s: s, lang: lang}
		for i := range s.Injects {
			in := &s.Injects[i]
			c.InjectTotal++
			if len(check.injectGaps(in)) == 0 {
				c.Injects++
			} else {
				c.MissingInjects = append(c.MissingInjects, in.ID)
			}
			for j := range in.Expectations {
				e := &in.Expectations[j]
				if strings.TrimSpace(e.Prompt) == "" {
					continue
				}
				c.PromptTotal++
				if len(check.promptGaps(in, e)) == 0 {
					c.Prompts++
				} else {
					c.MissingPrompts = append(c.MissingPrompts, in.ID+"."+e.ID)
				}
			}
		}
		for _, p := range s.translatedParties() {
			c.NameTotal++
			if _, ok := p.translations[lang]; ok && strings.TrimSpace(p.translations[lang].Name) != "" {
				c.Names++
			} else {
				c.MissingNames = append(c.MissingNames, p.id)
			}
		}
		for _, t := range check.exerciseTexts() {
			c.TextTotal++
			if t.missing {
				c.MissingTexts = append(c.MissingTexts, t.what)
			} else {
				c.Texts++
			}
		}
		out = append(out, c)
	}
	return out
}

// languageGap is one player-visible text missing in a language.
type languageGap struct {
	pos  Pos
	what string // "the body of inject I07"
}

// languageCheck finds the player-visible texts missing in one language.
type languageCheck struct {
	s    *Scenario
	lang string
}

// injectGaps lists the inject's title, body and attachment names missing in
// the language.
func (c *languageCheck) injectGaps(in *Inject) []languageGap {
	var gaps []languageGap
	tr, ok := in.Translations[c.lang]
	at := func(field string) Pos {
		if ok && tr.Pos.Has(field) {
			return tr.Pos.Field(field)
		}
		if ok {
			return tr.Pos
		}
		return in.Pos.Field(field)
	}
	if !ok || strings.TrimSpace(tr.Title) == "" {
		gaps = append(gaps, languageGap{at("title"), "the title of inject " + in.ID})
	}
	if !ok { // an empty body of a translation is an error reported by inject

		gaps = append(gaps, languageGap{at("body"), "the body of inject " + in.ID})
	}
	for _, a := range in.Attachments {
		if atr, ok := a.Translations[c.lang]; !ok || strings.TrimSpace(atr.Name) == "" {
			gaps = append(gaps, languageGap{a.Pos.Field("name"), fmt.Sprintf("the name of attachment %q of inject %s", a.Name, in.ID)})
		}
	}
	return gaps
}

// promptGaps lists the expectation's player prompt when it is missing in
// the language. Criteria are for staff and need no translation.
func (c *languageCheck) promptGaps(in *Inject, e *Expectation) []languageGap {
	if strings.TrimSpace(e.Prompt) == "" {
		return nil
	}
	if tr, ok := e.Translations[c.lang]; ok && strings.TrimSpace(tr.Prompt) != "" {
		return nil
	}
	return []languageGap{{e.Pos.Field("prompt"), fmt.Sprintf("the prompt of expectation %s.%s", in.ID, e.ID)}}
}

// exerciseText is one exercise-level player-visible text and whether it
// is missing in the language.
type exerciseText struct {
	pos     Pos
	what    string // "title of the exercise", "text of objective O1"
	missing bool
}

// exerciseTexts lists the exercise's title, description and start
// conditions (when written), objective texts, their critical tasks (which
// staff and the report read) and incident titles.
func (c *languageCheck) exerciseTexts() []exerciseText {
	e := &c.s.Exercise
	tr, ok := e.Translations[c.lang]
	var out []exerciseText
	add := func(field, what, original, translated string) {
		if strings.TrimSpace(original) == "" {
			return
		}
		p := e.Pos.Field(field)
		if ok {
			p = tr.Pos
		}
		out = append(out, exerciseText{p, what, strings.TrimSpace(translated) == ""})
	}
	add("title", "title of the exercise", e.Title, tr.Title)
	add("description", "description of the exercise", e.Description, tr.Description)
	add("start_conditions", "start conditions of the exercise", e.StartConditions, tr.StartConditions)
	for _, o := range e.Objectives {
		otr, ok := o.Translations[c.lang]
		p := o.Pos.Field("text")
		if ok {
			p = otr.Pos
		}
		out = append(out, exerciseText{p, "text of objective " + o.ID, strings.TrimSpace(otr.Text) == ""})
		for _, task := range o.CriticalTasks {
			ttr, ok := task.Translations[c.lang]
			p := task.Pos.Field("text")
			if ok {
				p = ttr.Pos
			}
			out = append(out, exerciseText{p, "text of critical task " + o.ID + "." + task.ID, strings.TrimSpace(ttr.Text) == ""})
		}
	}
	for _, inc := range c.s.Incidents {
		itr, ok := inc.Translations[c.lang]
		p := inc.Pos.Field("title")
		if ok {
			p = itr.Pos
		}
		out = append(out, exerciseText{p, "title of incident " + inc.ID, strings.TrimSpace(itr.Title) == ""})
	}
	return out
}

// translatedParty is a team, actor or group whose display name differs by
// language: it has at least one name translation.
type translatedParty struct {
	kind, id     string
	pos          Pos
	translations map[string]NameTranslation
}

// TranslatedPartyIDs returns the ids of the teams, actors and groups whose
// display names the scenario translates, in file order.
func (s *Scenario) TranslatedPartyIDs() []string {
	var ids []string
	for _, p := range s.translatedParties() {
		ids = append(ids, p.id)
	}
	return ids
}

func (s *Scenario) translatedParties() []translatedParty {
	var out []translatedParty
	add := func(kind, id string, pos Pos, tr map[string]NameTranslation) {
		if len(tr) > 0 {
			out = append(out, translatedParty{kind, id, pos, tr})
		}
	}
	for _, t := range s.Teams {
		add("team", t.ID, t.Pos, t.Translations)
	}
	for _, a := range s.Actors {
		add("actor", a.ID, a.Pos, a.Translations)
	}
	for _, g := range s.Groups {
		add("group", g.ID, g.Pos, g.Translations)
	}
	return out
}

// languages warns about every player-visible text missing in a declared
// language (an error under validate --strict): the exercise's title,
// description and start conditions, objective texts, incident titles,
// inject titles, bodies and attachment names, expectation prompts, and the
// display names of teams, actors and groups that are translated into some
// language.
func (v *validator) languages() {
	if !langPattern.MatchString(v.s.originalLanguage()) {
		return // reported by header; with no language to start from, no text can be said missing
	}
	for _, lang := range v.s.TranslationLanguages() {
		if !langPattern.MatchString(lang) {
			continue // reported by header
		}
		check := &languageCheck{s: v.s, lang: lang}
		var gaps []languageGap
		for i := range v.s.Injects {
			in := &v.s.Injects[i]
			gaps = append(gaps, check.injectGaps(in)...)
			for j := range in.Expectations {
				gaps = append(gaps, check.promptGaps(in, &in.Expectations[j])...)
			}
		}
		for _, p := range v.s.translatedParties() {
			if tr, ok := p.translations[lang]; !ok || strings.TrimSpace(tr.Name) == "" {
				gaps = append(gaps, languageGap{p.pos.Field("name"), fmt.Sprintf("the name of %s %s", p.kind, p.id)})
			}
		}
		for _, t := range check.exerciseTexts() {
			if t.missing {
				gaps = append(gaps, languageGap{t.pos, "the " + t.what})
			}
		}
		for _, g := range gaps {
			v.warnf(g.pos, "missing %s translation of %s (exercise.languages promises %s)", lang, g.what, lang)
		}
	}
	v.nameTranslationKeys()
}

// nameTranslationKeys checks the language keys of name and attachment
// translations, like those of inject translations.
func (v *validator) nameTranslationKeys() {
	langs := v.s.ContentLanguages()
	check := func(p Pos, keys []string, what string) {
		for _, lang := range keys {
			if !langPattern.MatchString(lang) {
				v.errorf(p, "%s: translation key %q must be a two-letter language code", what, lang)
			} else if len(v.s.Exercise.Languages) > 0 && !slices.Contains(langs, lang) {
				v.warnf(p, "%s: translation %q is not among the exercise's languages (%s)", what, lang, strings.Join(langs, ", "))
			}
		}
	}
	for _, p := range v.s.translatedParties() {
		check(p.pos.Field("translations"), sortedKeys(p.translations), p.kind+" "+p.id)
	}
	e := &v.s.Exercise
	check(e.Pos.Field("translations"), sortedKeys(e.Translations), "exercise")
	for _, o := range e.Objectives {
		check(o.Pos.Field("translations"), sortedKeys(o.Translations), "objective "+o.ID)
	}
	for _, inc := range v.s.Incidents {
		check(inc.Pos.Field("translations"), sortedKeys(inc.Translations), "incident "+inc.ID)
	}
	for _, in := range v.s.Injects {
		for _, a := range in.Attachments {
			check(a.Pos.Field("translations"), sortedKeys(a.Translations), fmt.Sprintf("inject %s: attachment %q", in.ID, a.Name))
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// init adds the translation keys of teams, actors, groups and attachments
// to the JSON schema's rules and descriptions.
func init() {
	for _, owner := range []string{"Team", "Actor", "Group"} {
		fieldRules[owner+".translations"] = fieldRule{keys: langPatternSrc}
		fieldDocs[owner+".translations"] = "The display name in other languages where it differs, keyed by two-letter language code."
	}
	fieldRules["Attachment.translations"] = fieldRule{keys: langPatternSrc}
	fieldDocs["Attachment.translations"] = "The name, and optionally the content, in other languages, keyed by two-letter language code."
	for _, owner := range []string{"Exercise", "Objective", "Incident"} {
		fieldRules[owner+".translations"] = fieldRule{keys: langPatternSrc}
	}
	fieldDocs["Exercise.translations"] = "The title, description and start conditions in other languages, keyed by two-letter language code."
	fieldDocs["Objective.translations"] = "The text in other languages, keyed by two-letter language code."
	fieldDocs["Incident.translations"] = "The title in other languages, keyed by two-letter language code."
	typeDocs["ExerciseTranslation"] = "The exercise's title, description and start conditions in another language."
	typeDocs["ObjectiveTranslation"] = "An objective's text in another language."
	typeDocs["IncidentTranslation"] = "An incident's title in another language."
	fieldDocs["ExerciseTranslation.title"] = "Translated title."
	fieldDocs["ExerciseTranslation.description"] = "Translated description (Markdown)."
	fieldDocs["ExerciseTranslation.start_conditions"] = "Translated start conditions, the trainees' briefing."
	fieldDocs["ObjectiveTranslation.text"] = "Translated text."
	fieldRules["ObjectiveTranslation.text"] = ruleRequired
	fieldDocs["IncidentTranslation.title"] = "Translated title."
	fieldRules["IncidentTranslation.title"] = ruleRequired
	fieldRules["NameTranslation.name"] = ruleRequired
	fieldRules["AttachmentTranslation.name"] = ruleRequired
	typeDocs["NameTranslation"] = "A team's, actor's or group's display name in another language."
	typeDocs["AttachmentTranslation"] = "An attachment's name, and optionally its content, in another language."
	fieldDocs["NameTranslation.name"] = "Translated display name."
	fieldDocs["AttachmentTranslation.name"] = "Translated file name shown to the team."
	fieldDocs["AttachmentTranslation.content"] = "Translated text of the attachment; without it the original content is shown."
}
