package scenarios

import "strings"

// Render returns an inject's title and body as one receiving team reads
// them: in lang when the inject has a translation into it (else in the
// exercise's language), with the {{...}} variables filled in. Unknown
// variables are left as written.
func (s *Scenario) Render(in *Inject, teamID, lang string) (title, body string) {
	title, body = in.Title, in.Body
	if tr, ok := in.Translations[lang]; ok && lang != "" {
		if tr.Title != "" {
			title = tr.Title
		}
		body = tr.Body
	}
	return s.fill(in, teamID, lang, title), s.fill(in, teamID, lang, body)
}

// fill replaces the {{...}} variables of text for one receiving team of in,
// naming the team in lang.
func (s *Scenario) fill(in *Inject, teamID, lang, text string) string {
	values := map[string]string{
		"exercise.id":    s.Exercise.ID,
		"exercise.title": s.ExerciseIn(lang).Title,
	}
	if t, ok := s.Team(teamID); ok {
		values["team.id"], values["team.name"], values["team.country"], values["team.sector"] = t.ID, s.PartyName(t.ID, lang), t.Country, t.Sector
	}
	if inc, ok := s.Incident(in.Incident); ok {
		values["incident.id"], values["incident.title"] = inc.ID, inc.TitleIn(lang)
	}
	return variablePattern.ReplaceAllStringFunc(text, func(m string) string {
		name := strings.TrimSpace(m[2 : len(m)-2])
		if v, ok := values[name]; ok {
			return v
		}
		return m
	})
}
