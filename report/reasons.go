package report

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"cmesim/engine"
	"cmesim/internal/i18n"
)

// The engine records why an answer was wrong, an expectation missed, a
// message flagged or an exercise ended as a stable code with its arguments
// (engine.Why), beside the English sentence. The report says the code in
// its language through the catalog ("reason.<code>"). Logs written before
// the codes have only the sentence: the report recognises those sentences
// (legacyReason) and says them the same way. A reason it does not
// recognise is shown as the log has it.

// why says an engine reason in the report's language, naming teams and
// actors and categories as the rest of the report does.
func (l loc) why(w engine.Why) string {
	// A miss after a wrong answer that had no code (a log resumed from
	// before the codes) has the code without the wrong answer's: its
	// sentence still says it.
	afterUncoded := w.ReasonCode == engine.ReasonDeadlineAfterWrong && w.ReasonArgs[engine.ReasonArgWrong] == "" && strings.HasPrefix(w.Reason, legacyAfterWrong)
	if w.ReasonCode == "" || afterUncoded {
		w = legacyReason(w.Reason)
	}
	if s, ok := l.sayReason(w.ReasonCode, w.ReasonArgs); ok {
		return s
	}
	return w.Reason
}

// reason says the English sentence of a reason in the report's language.
func (l loc) reason(s string) string { return l.why(engine.Why{Reason: s}) }

// sayReason says a reason code with its arguments, or false when the
// catalog does not know the code. A miss after a wrong answer says the
// wrong answer's reason too when its arguments name it.
func (l loc) sayReason(code engine.ReasonCode, args map[string]string) (string, bool) {
	key := "reason." + string(code)
	if code == "" || !i18n.Has(l.lang, key) {
		return "", false
	}
	if wrong := engine.ReasonCode(args[engine.ReasonArgWrong]); code == engine.ReasonDeadlineAfterWrong && wrong != "" {
		if inner, ok := l.sayReason(wrong, args); ok {
			return l.t("reason.deadline_after_wrong_detail", "reason", inner), true
		}
	}
	return l.t(key, l.reasonArgs(args)...), true
}

// reasonArgs turns a reason's arguments into catalog arguments, saying
// severities, categories and actions in the report's language and teams
// and actors by name.
func (l loc) reasonArgs(args map[string]string) []any {
	var out []any
	for _, k := range slices.Sorted(maps.Keys(args)) {
		v := args[k]
		switch k {
		case "severity", "expected_severity":
			v = l.severity(v)
		case "action":
			v = l.actionName(v)
		case "category", "expected_category":
			v = l.category(v)
		case "target", "expected_target", "peer":
			v = l.party(v)
		case "expected_peers":
			v = l.partyList(v)
		}
		out = append(out, k, v)
	}
	return out
}

// The English sentences of logs written before reason codes.
var (
	reasonCategory = regexp.MustCompile(`^category "(.*)", expected "(.*)"$`)
	reasonSeverity = regexp.MustCompile(`^severity (\S*), expected (\S*)$`)
	reasonEscalate = regexp.MustCompile(`^escalated to (.*), expected (.*)$`)
	reasonTLP      = regexp.MustCompile(`^TLP violation: shared as TLP:(\S*), the information is TLP:(\S*)$`)
	reasonMessage  = regexp.MustCompile(`^TLP violation: sent as TLP:(\S*), the information is TLP:(\S*)$`)
	reasonPeer     = regexp.MustCompile(`^shared with (.*), which is not an expected peer \((.*)\)$`)
	reasonNoText   = regexp.MustCompile(`^([a-z ]+) without text: a written action needs content$`)
)

// legacyAfterWrong starts the sentence of a miss after a wrong answer.
const legacyAfterWrong = "deadline passed after a wrong answer: "

// legacyReason recognises the English sentence of a log without reason
// codes and returns it with its code and arguments, or with no code when
// it does not recognise it.
func legacyReason(s string) engine.Why {
	w := engine.Why{Reason: s}
	code, args := legacyCode(s)
	if code != "" {
		w.ReasonCode, w.ReasonArgs = code, args
	}
	return w
}

func legacyCode(s string) (engine.ReasonCode, map[string]string) {
	switch s {
	case "deadline passed":
		return engine.ReasonDeadlinePassed, nil
	case strings.TrimSuffix(legacyAfterWrong, ": "):
		return engine.ReasonDeadlineAfterWrong, nil
	case "ended by the facilitator":
		return engine.ReasonEndedByFacilitator, nil
	case "planned duration reached":
		return engine.ReasonDurationReached, nil
	}
	if rest, ok := strings.CutPrefix(s, legacyAfterWrong); ok {
		inner, args := legacyCode(rest)
		if inner == "" {
			return "", nil
		}
		if args == nil {
			args = map[string]string{}
		}
		args[engine.ReasonArgWrong] = string(inner)
		return engine.ReasonDeadlineAfterWrong, args
	}
	for _, p := range []struct {
		re    *regexp.Regexp
		code  engine.ReasonCode
		names []string
	}{
		{reasonTLP, engine.ReasonShareTLP, []string{"tlp", "limit"}},
		{reasonMessage, engine.ReasonMessageTLP, []string{"tlp", "limit"}},
		{reasonPeer, engine.ReasonWrongPeer, []string{"peer", "expected_peers"}},
		{reasonNoText, engine.ReasonNoText, []string{"action"}},
		{reasonEscalate, engine.ReasonWrongTarget, []string{"target", "expected_target"}},
		{reasonCategory, engine.ReasonWrongCategory, []string{"category", "expected_category"}},
		{reasonSeverity, engine.ReasonWrongSeverity, []string{"severity", "expected_severity"}},
	} {
		if m := p.re.FindStringSubmatch(s); m != nil {
			args := map[string]string{}
			for i, n := range p.names {
				args[n] = m[i+1]
			}
			if p.code == engine.ReasonNoText {
				args["action"] = strings.ReplaceAll(args["action"], " ", "_")
			}
			return p.code, args
		}
	}
	// A wrong category and severity at once: "category …; severity …".
	if cat, sev, ok := strings.Cut(s, "; "); ok {
		c, ca := legacyCode(cat)
		v, va := legacyCode(sev)
		if c == engine.ReasonWrongCategory && v == engine.ReasonWrongSeverity {
			ca["severity"], ca["expected_severity"] = va["severity"], va["expected_severity"]
			return engine.ReasonWrongClassification, ca
		}
	}
	return "", nil
}

// problemWhy returns the reason of a share's problem, by its English
// sentence, with its code when the log had one.
func (b *builder) problemWhy(problem string) engine.Why {
	if w, ok := b.problems[problem]; ok {
		return w
	}
	return engine.Why{Reason: problem}
}

// wrongPeer splits the reason of a share with a peer that was not expected
// into the peer and the expected peers.
func wrongPeer(w engine.Why) (peer, expected string, ok bool) {
	if w.ReasonCode == "" {
		w = legacyReason(w.Reason)
	}
	if w.ReasonCode != engine.ReasonWrongPeer {
		return "", "", false
	}
	return w.ReasonArgs["peer"], w.ReasonArgs["expected_peers"], true
}
