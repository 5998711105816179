package scenarios

import (
	"regexp"
	"slices"
	"strings"
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

// defaultReplies are what a simulated party answers when the scenario gives
// no template.
var defaultReplies = map[string]string{
	ReplyRFI:     "{team} here. We received your request about {subject} and are checking our sources; we will share what we have as soon as it is confirmed.",
	ReplyMessage: "{team} here. Thank you for your message about {subject}; we have noted it and will come back to you if we see anything related.",
}

// ReplyText returns the reply a simulated team or actor sends to a message
// of kind (ReplyRFI or ReplyMessage): its template from the scenario, or a
// default, with {requester} (who wrote), {team} (who answers) and {subject}
// filled in.
func (s *Scenario) ReplyText(party, kind, requester, subject string) string {
	tmpl, name := "", party
	if t, ok := s.Team(party); ok {
		tmpl, name = t.Replies[kind], t.Name
	} else if a, ok := s.Actor(party); ok {
		tmpl, name = a.Replies[kind], a.Name
	}
	if tmpl == "" {
		tmpl = defaultReplies[kind]
	}
	if tmpl == "" {
		tmpl = defaultReplies[ReplyMessage]
	}
	if subject == "" {
		subject = "the situation"
	}
	return strings.NewReplacer("{requester}", s.PartyName(requester), "{team}", name, "{subject}", subject).Replace(tmpl)
}

// PartyName returns the display name of a team or actor, or id itself.
func (s *Scenario) PartyName(id string) string {
	if t, ok := s.Team(id); ok {
		return t.Name
	}
	if a, ok := s.Actor(id); ok {
		return a.Name
	}
	return id
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

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
