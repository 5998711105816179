package engine

import (
	"maps"
	"regexp"
	"slices"
)

// ReasonCode names, in a stable way, why the engine missed or refused an
// answer, flagged a message or ended an exercise. Consoles and the report
// say it in the reader's language through the catalog key "reason.<code>",
// filled with the event's ReasonArgs; Reason keeps the English sentence for
// logs and older readers.
type ReasonCode string

// The reasons the engine gives, and the arguments each carries.
const (
	// ReasonDeadlinePassed: an expectation fell due unanswered.
	ReasonDeadlinePassed ReasonCode = "deadline_passed"
	// ReasonDeadlineAfterWrong: an expectation fell due after a wrong
	// answer. Args: "wrong", the code of the last wrong answer, and that
	// answer's own arguments.
	ReasonDeadlineAfterWrong ReasonCode = "deadline_after_wrong"
	// ReasonWrongCategory: a classification named the wrong category.
	// Args: category, expected_category.
	ReasonWrongCategory ReasonCode = "wrong_category"
	// ReasonWrongSeverity: a classification named the wrong severity.
	// Args: severity, expected_severity.
	ReasonWrongSeverity ReasonCode = "wrong_severity"
	// ReasonWrongClassification: both category and severity were wrong.
	// Args: category, expected_category, severity, expected_severity.
	ReasonWrongClassification ReasonCode = "wrong_classification"
	// ReasonWrongTarget: an escalation went to the wrong actor. Args:
	// target, expected_target.
	ReasonWrongTarget ReasonCode = "wrong_target"
	// ReasonNoText: a written action came without text. Args: action (its
	// code, as request_info).
	ReasonNoText ReasonCode = "no_text"
	// ReasonShareTLP: a share was marked more open than its information.
	// Args: tlp, limit (upper case, as in TLP:AMBER).
	ReasonShareTLP ReasonCode = "share_tlp"
	// ReasonWrongPeer: a share went to a team that was not expected. Args:
	// peer, expected_peers (comma-separated team IDs).
	ReasonWrongPeer ReasonCode = "wrong_peer"
	// ReasonMessageTLP: a message was marked more open than what it
	// carries. Args: tlp, limit.
	ReasonMessageTLP ReasonCode = "message_tlp"
	// ReasonEndedByFacilitator: the facilitator ended the exercise.
	ReasonEndedByFacilitator ReasonCode = "ended_by_facilitator"
	// ReasonDurationReached: the exercise reached its planned duration.
	ReasonDurationReached ReasonCode = "duration_reached"
)

// ReasonArgWrong is the argument of ReasonDeadlineAfterWrong that names the
// code of the wrong answer; the answer's own arguments sit beside it.
const ReasonArgWrong = "wrong"

// reasonEnglish holds the English sentence of each code, with its
// arguments as {name}: the engine's Reason text, and the English catalog's
// "reason.<code>" message.
var reasonEnglish = map[ReasonCode]string{
	ReasonDeadlinePassed:      "deadline passed",
	ReasonDeadlineAfterWrong:  "deadline passed after a wrong answer",
	ReasonWrongCategory:       `category "{category}", expected "{expected_category}"`,
	ReasonWrongSeverity:       "severity {severity}, expected {expected_severity}",
	ReasonWrongClassification: `category "{category}", expected "{expected_category}"; severity {severity}, expected {expected_severity}`,
	ReasonWrongTarget:         "escalated to {target}, expected {expected_target}",
	ReasonNoText:              "{action} without text: a written action needs content",
	ReasonShareTLP:            "TLP violation: shared as TLP:{tlp}, the information is TLP:{limit}",
	ReasonWrongPeer:           "shared with {peer}, which is not an expected peer ({expected_peers})",
	ReasonMessageTLP:          violationPrefix + ": sent as TLP:{tlp}, the information is TLP:{limit}",
	ReasonEndedByFacilitator:  "ended by the facilitator",
	ReasonDurationReached:     "planned duration reached",
}

// ReasonCodes lists every reason code the engine can emit, sorted.
func ReasonCodes() []ReasonCode {
	out := make([]ReasonCode, 0, len(reasonEnglish))
	for c := range reasonEnglish {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// ReasonEnglish returns the English sentence of a code, with {name} where
// an argument goes, or "" for an unknown code.
func ReasonEnglish(code ReasonCode) string { return reasonEnglish[code] }

// Why says why an event happened: the English sentence (Reason), its
// stable code and the values it names. It sits inside Details, its fields
// side by side with the others in JSON.
type Why struct {
	// Reason explains a wrong answer, a miss, a TLP violation or an end,
	// in English.
	Reason string `json:"reason,omitempty"`
	// ReasonCode names the reason for translation (see ReasonCode).
	ReasonCode ReasonCode `json:"reason_code,omitempty"`
	// ReasonArgs are the values the reason names, by argument name.
	ReasonArgs map[string]string `json:"reason_args,omitempty"`
}

// because builds the Why of a code with its arguments (name, value pairs).
func because(code ReasonCode, args ...string) Why {
	w := Why{ReasonCode: code}
	if len(args) > 0 {
		w.ReasonArgs = make(map[string]string, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			w.ReasonArgs[args[i]] = args[i+1]
		}
	}
	w.Reason = fillReason(reasonEnglish[code], w.ReasonArgs)
	return w
}

// afterWrong is the Why of a miss that followed a wrong answer: the
// English sentence quotes the answer's reason, and the arguments carry its
// code and arguments.
func afterWrong(last Why) Why {
	w := because(ReasonDeadlineAfterWrong)
	if last.Reason == "" {
		return w
	}
	w.Reason += ": " + last.Reason
	if last.ReasonCode != "" {
		w.ReasonArgs = maps.Clone(last.ReasonArgs)
		if w.ReasonArgs == nil {
			w.ReasonArgs = map[string]string{}
		}
		w.ReasonArgs[ReasonArgWrong] = string(last.ReasonCode)
	}
	return w
}

// reasonPlaceholder is an argument's place in a reason's sentence.
var reasonPlaceholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// fillReason replaces each {name} in text with args[name], in one pass (a
// value that looks like a placeholder stays as it is).
func fillReason(text string, args map[string]string) string {
	return reasonPlaceholder.ReplaceAllStringFunc(text, func(m string) string {
		if v, ok := args[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}
