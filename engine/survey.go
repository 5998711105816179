package engine

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"cmesim/scenarios"
)

// The hot wash: once the exercise has ended, the facilitator opens a short
// participant feedback survey (after the HSEEP participant feedback form)
// and trainees, evaluators and observers answer it once each. A named
// answer replaces the participant's earlier one. An anonymous survey's
// answers carry only the role and the team (the actor is ROLE:TEAM, the
// command in the log has no name): nothing ties two answers to one person,
// so an anonymous answer replaces nothing and each counts once. (A
// participant who sends two anonymous answers is counted twice; the
// consoles hide the form once it is sent.)

// The survey commands.
const (
	// CmdSurveyOpen opens the hot wash survey (facilitator, after End).
	CmdSurveyOpen CommandType = "survey_open"
	// CmdSurveyAnswer is a participant's answers to the survey.
	CmdSurveyAnswer CommandType = "survey_answer"
)

// The survey events.
const (
	// EventSurveyOpened tells everyone the hot wash survey is open.
	EventSurveyOpened EventType = "survey.opened"
	// EventSurveyAnswered records one participant's answers (staff only).
	EventSurveyAnswered EventType = "survey.answered"
)

// QuestionKind is how a survey question is answered.
type QuestionKind string

// The question kinds.
const (
	QuestionRating QuestionKind = "rating" // 1 (strongly disagree) to 5 (strongly agree)
	QuestionText   QuestionKind = "text"   // free text
)

// Question is one question of the hot wash survey. The text of a default
// question is the catalog message "hotwash.q.ID"; a scenario's own
// questions carry theirs (scenarios.HotWashQuestion).
type Question struct {
	ID   string       `json:"id"`
	Kind QuestionKind `json:"kind"`
}

// HotWashQuestions are the survey's default questions, after the HSEEP
// participant feedback form.
var HotWashQuestions = []Question{
	{"structured", QuestionRating},
	{"realistic", QuestionRating},
	{"role_clear", QuestionRating},
	{"prepared", QuestionRating},
	{"strengths", QuestionText},
	{"improvements", QuestionText},
	{"change", QuestionText},
}

// SurveyQuestions returns the questions of s's hot wash survey: the
// scenario's own (hot_wash), or the default ones.
func SurveyQuestions(s *scenarios.Scenario) []Question {
	if len(s.HotWash) == 0 {
		return HotWashQuestions
	}
	qs := make([]Question, len(s.HotWash))
	for i, q := range s.HotWash {
		qs[i] = Question{ID: q.ID, Kind: QuestionKind(q.Kind)}
	}
	return qs
}

// MaxSurveyAnswerLen bounds one free-text answer, in characters.
const MaxSurveyAnswerLen = 2000

// SurveyResponse is one participant's answers.
type SurveyResponse struct {
	Seq uint64 `json:"seq"`
	// By is the actor: the participant's label (trainee:TEAM:NAME,
	// evaluator:NAME…), or ROLE:TEAM (ROLE) for an anonymous answer.
	By      string            `json:"by"`
	Team    string            `json:"team,omitempty"`
	Answers map[string]string `json:"answers"`
}

// Survey is the hot wash survey as it stands.
type Survey struct {
	Open      bool             `json:"open"`
	Anonymous bool             `json:"anonymous,omitempty"`
	Responses []SurveyResponse `json:"responses,omitempty"`
}

// QuestionResult sums up the answers to one question.
type QuestionResult struct {
	Question
	// Count is how many participants answered it.
	Count int `json:"count"`
	// Average is the mean rating of a rating question.
	Average float64 `json:"average,omitempty"`
	// Texts are the answers to a text question, in log order.
	Texts []string `json:"texts,omitempty"`
}

// Results sums the survey's answers up per question of qs.
func (s *Survey) Results(qs []Question) []QuestionResult {
	out := make([]QuestionResult, len(qs))
	for i, q := range qs {
		r := QuestionResult{Question: q}
		sum := 0
		for _, resp := range s.Responses {
			a, ok := resp.Answers[q.ID]
			if !ok {
				continue
			}
			r.Count++
			if q.Kind == QuestionRating {
				n, _ := strconv.Atoi(a)
				sum += n
			} else {
				r.Texts = append(r.Texts, a)
			}
		}
		if q.Kind == QuestionRating && r.Count > 0 {
			r.Average = round2(float64(sum) / float64(r.Count))
		}
		out[i] = r
	}
	return out
}

// questionKind returns the kind of the question id of qs, or "" if there
// is none.
func questionKind(qs []Question, id string) QuestionKind {
	i := slices.IndexFunc(qs, func(q Question) bool { return q.ID == id })
	if i < 0 {
		return ""
	}
	return qs[i].Kind
}

// survey applies the survey commands.
func (x *Exercise) survey(cmd Command) error {
	if cmd.Type == CmdSurveyOpen {
		if x.st.Survey.Open {
			return Errorf(CodeConflict, "the hot wash survey is already open")
		}
		x.emit(cmdEvent(EventSurveyOpened, cmd, "", []string{Everyone}, Details{Anonymous: cmd.Anonymous}))
		return nil
	}
	if !x.st.Survey.Open {
		return Errorf(CodeConflict, "the hot wash survey is not open")
	}
	answers, err := checkAnswers(SurveyQuestions(x.scn), cmd.Answers)
	if err != nil {
		return err
	}
	if x.st.Survey.Anonymous {
		cmd.By.Name = "" // the log keeps the role and the team only
	}
	actor := surveyActor(cmd.By)
	x.emit(Event{Type: EventSurveyAnswered, Actor: actor, Team: cmd.By.Team,
		Data: Details{Anonymous: x.st.Survey.Anonymous, Answers: answers, Command: &cmd}})
	return nil
}

// surveyActor labels a survey answer: the participant's usual label, or,
// when the name is withheld, ROLE:TEAM (ROLE for staff without a team).
func surveyActor(p Principal) string {
	switch {
	case p.Name != "":
		return p.Label()
	case p.Team != "":
		return string(p.Role) + ":" + p.Team
	}
	return string(p.Role)
}

// checkAnswers validates a survey answer and returns its non-empty answers.
func checkAnswers(qs []Question, in map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for id, a := range in {
		a = strings.TrimSpace(a)
		switch questionKind(qs, id) {
		case "":
			return nil, Errorf(CodeInvalid, "the survey has no question %q", id)
		case QuestionRating:
			if a == "" {
				continue
			}
			if n, err := strconv.Atoi(a); err != nil || n < 1 || n > 5 {
				return nil, Errorf(CodeInvalid, "the answer to %s must be a rating from 1 to 5", id)
			}
		case QuestionText:
			if utf8.RuneCountInString(a) > MaxSurveyAnswerLen {
				return nil, Errorf(CodeInvalid, "the answer to %s is longer than %d characters", id, MaxSurveyAnswerLen)
			}
		}
		if a != "" {
			out[id] = a
		}
	}
	if len(out) == 0 {
		return nil, Errorf(CodeInvalid, "answer at least one question")
	}
	return out, nil
}

// applySurveyAnswer folds a survey.answered event into the state: a named
// answer replaces the same participant's earlier one.
func (s *Survey) applySurveyAnswer(e *Event) {
	r := SurveyResponse{Seq: e.Seq, By: e.Actor, Team: e.Team, Answers: e.Data.Answers}
	if !e.Data.Anonymous {
		if i := slices.IndexFunc(s.Responses, func(o SurveyResponse) bool { return o.By == r.By }); i >= 0 {
			s.Responses[i] = r
			return
		}
	}
	s.Responses = append(s.Responses, r)
}

// closingCommand reports whether cmd may still be sent after End: the
// closing phase's judgements, notes, hot wash survey, evaluation guides'
// observations and ratings, and AAR/IP edits.
func closingCommand(t CommandType) bool {
	switch t {
	case CmdJudge, CmdNote, CmdSurveyOpen, CmdSurveyAnswer, CmdObserve, CmdRateObjective, CmdOverrideRating, CmdAAREdit:
		return true
	}
	return false
}
