package scenarios

import (
	"regexp"
	"slices"
	"strings"

	"cmesim/internal/i18n"
)

// The kinds of message a reply template answers.
const (
	// ReplyRFI answers a request for information.
	ReplyRFI = "rfi"
	// ReplyMessage answers any other message.
	ReplyMessage = "message"
)

// ReplyKinds lists the keys a replies map may use.
var ReplyKinds = []string{ReplyRFI, ReplyMessage}

// ReplyVariables are the placeholders a reply template may use.
var ReplyVariables = []string{"{requester}", "{team}", "{subject}"}

// ReplyText returns the reply a simulated team or actor sends to a message
// of kind (ReplyRFI or ReplyMessage): its template from the scenario, or a
// default in the scenario's language (the sim.reply.* messages of the
// language catalogs), with {requester} (who wrote), {team} (who answers)
// and {subject} filled in.
func (s *Scenario) ReplyText(party, kind, requester, subject string) string {
	tmpl, name := "", party
	if t, ok := s.Team(party); ok {
		tmpl, name = t.Replies[kind], t.Name
	} else if a, ok := s.Actor(party); ok {
		tmpl, name = a.Replies[kind], a.Name
	}
	lang := s.CatalogLang()
	if tmpl == "" {
		key := "sim.reply." + ReplyMessage
		if kind == ReplyRFI {
			key = "sim.reply." + ReplyRFI
		}
		// The catalog's {team}, {subject} and {requester} stay as written
		// when no argument is given: they are filled below like a
		// scenario's own template.
		tmpl = i18n.T(lang, key)
	}
	if subject == "" {
		subject = i18n.T(lang, "sim.reply.subject")
	}
	return strings.NewReplacer("{requester}", s.PartyName(requester, s.Exercise.Language), "{team}", name, "{subject}", subject).Replace(tmpl)
}

// DeliveredAsMessage reports whether an inject reaches its recipients as a
// message in a thread they can reply to: when a team sends it, or when it
// expects a reply.
func (s *Scenario) DeliveredAsMessage(in *Inject) bool {
	if s.TeamIndex(in.From) >= 0 {
		return true
	}
	return slices.ContainsFunc(in.Expectations, func(e Expectation) bool { return e.Action == ActionReply })
}

// replyPlaceholder matches a {variable} in a reply template.
var replyPlaceholder = regexp.MustCompile(`\{[a-z_]+\}`)

// replies checks every team's and actor's reply templates.
func (v *validator) replies() {
	for _, t := range v.s.Teams {
		v.replyTemplates(t.Pos.Field("replies"), t.Replies, "team "+t.ID)
	}
	for _, a := range v.s.Actors {
		v.replyTemplates(a.Pos.Field("replies"), a.Replies, "actor "+a.ID)
	}
}

func (v *validator) replyTemplates(p Pos, replies map[string]string, what string) {
	for _, kind := range sortedKeys(replies) {
		text := replies[kind]
		if !slices.Contains(ReplyKinds, kind) {
			v.errorf(p, "%s: unknown reply kind %q (use %s)", what, kind, strings.Join(ReplyKinds, ", "))
		}
		if strings.TrimSpace(text) == "" {
			v.errorf(p, "%s: the %s reply is empty", what, kind)
		}
		for _, m := range replyPlaceholder.FindAllString(text, -1) {
			if !slices.Contains(ReplyVariables, m) {
				v.errorf(p, "%s: unknown variable %s in the %s reply (known: %s)", what, m, kind, strings.Join(ReplyVariables, ", "))
			}
		}
	}
}

// replyExpectation checks a reply expectation: its inject must come from
// someone a team can answer.
func (v *validator) replyExpectation(in *Inject, e *Expectation, what string) {
	if slices.Contains(in.To, in.From) {
		v.errorf(e.Pos, "%s: a team cannot be expected to reply to itself (%s sends and receives the inject)", what, in.From)
	}
}

// CatalogLang is the language of the catalogs cmesim writes the
// scenario's generated texts in (default replies, simulated actions): the
// scenario's language, or English when cmesim does not speak it.
func (s *Scenario) CatalogLang() i18n.Lang {
	l, err := i18n.Parse(orEnglish(s.Exercise.Language))
	if err != nil {
		return i18n.Default
	}
	return l
}

func orEnglish(lang string) string {
	if lang == "" {
		return "en"
	}
	return lang
}
