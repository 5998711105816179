package report

import (
	"regexp"
	"strings"
)

// The engine records why an answer was wrong or an expectation missed as an
// English sentence in the log (expectation.wrong and expectation.missed
// reasons, exercise.ended reasons). The log is the record and stays as it
// is; the report recognises these sentences and says them again in its own
// language. A reason it does not recognise is shown as the log has it.
var (
	reasonCategory = regexp.MustCompile(`^category "(.*)", expected "(.*)"$`)
	reasonSeverity = regexp.MustCompile(`^severity (\S*), expected (\S*)$`)
	reasonEscalate = regexp.MustCompile(`^escalated to (.*), expected (.*)$`)
	reasonTLP      = regexp.MustCompile(`^TLP violation: shared as TLP:(\S*), the information is TLP:(\S*)$`)
	reasonPeer     = regexp.MustCompile(`^shared with (.*), which is not an expected peer \((.*)\)$`)
	reasonNoText   = regexp.MustCompile(`^([a-z ]+) without text: a written action needs content$`)
)

// reason says an engine reason in the report's language.
func (l loc) reason(s string) string {
	if l.lang == "" || l.lang == "en" {
		return s
	}
	switch {
	case s == "deadline passed":
		return l.t("report.reason.deadline")
	case strings.HasPrefix(s, "deadline passed after a wrong answer: "):
		return l.t("report.reason.deadline_after_wrong", "reason", l.reason(strings.TrimPrefix(s, "deadline passed after a wrong answer: ")))
	case s == "ended by the facilitator":
		return l.t("report.reason.ended_by_facilitator")
	case s == "planned duration reached":
		return l.t("report.reason.duration_reached")
	}
	if m := reasonTLP.FindStringSubmatch(s); m != nil {
		return l.t("report.reason.tlp", "tlp", m[1], "limit", m[2])
	}
	if m := reasonPeer.FindStringSubmatch(s); m != nil {
		return l.t("report.reason.peer", "peer", m[1], "expected", m[2])
	}
	if m := reasonNoText.FindStringSubmatch(s); m != nil {
		return l.t("report.reason.no_text", "action", l.actionName(strings.ReplaceAll(m[1], " ", "_")))
	}
	if m := reasonEscalate.FindStringSubmatch(s); m != nil {
		return l.t("report.reason.escalate", "target", m[1], "expected", m[2])
	}
	// A wrong classification lists its wrong parts, "; "-separated.
	parts := strings.Split(s, "; ")
	for i, p := range parts {
		if m := reasonCategory.FindStringSubmatch(p); m != nil {
			parts[i] = l.t("report.reason.category", "category", m[1], "expected", m[2])
		} else if m := reasonSeverity.FindStringSubmatch(p); m != nil {
			parts[i] = l.t("report.reason.severity", "severity", l.severity(m[1]), "expected", l.severity(m[2]))
		} else {
			return s
		}
	}
	return strings.Join(parts, "; ")
}

// wrongPeer splits the reason of a share with a peer that was not expected
// into the peer and the expected peers.
func wrongPeer(reason string) (peer, expected string, ok bool) {
	m := reasonPeer.FindStringSubmatch(reason)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}
