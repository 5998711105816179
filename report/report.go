package report

import "cmesim/internal/i18n"

// Format names the version of the report's JSON form. It changes only when a
// field is removed or changes meaning; new fields may appear at any time.
const Format = "cmesim/report/v1"

// Report is a fully computed after-action report. Its JSON encoding
// (WriteJSON) is the report's machine-readable form; the HTML, Markdown and
// CSV renderers read nothing else, so a report saved as JSON can be
// rendered again later.
//
// Every time is virtual time since T+0 (see Duration). Lists are in a fixed
// order (scenario order for teams and objectives, log order otherwise), so
// the same log always gives byte-identical output.
type Report struct {
	Format string `json:"format"`
	// Lang is the language of the report's texts (en, es, pt or fr); the
	// renderers write headings and labels in it too.
	Lang i18n.Lang `json:"lang,omitempty"`
	// TLP is the report's own marking: the highest TLP of the material it
	// reproduces (the injects it names, the shares and messages it lists),
	// "clear" when none is marked. Every rendering shows it.
	TLP      string       `json:"tlp"`
	Exercise ExerciseInfo `json:"exercise"`
	// Names gives the display name, in the report's language when the
	// scenario translates it, of every team and actor the report names by
	// id; the renderers show names where a reader sees one.
	Names   map[string]string `json:"names,omitempty"`
	Summary Summary           `json:"summary"`
	// Objectives are rated P/S/M/U, in scenario order.
	Objectives []ObjectiveResult `json:"objectives"`
	// Capabilities total the objectives' points by capability, exercise-wide.
	Capabilities []ScoreLine `json:"capabilities"`
	// Teams hold one scorecard per team, in scenario order.
	Teams []TeamResult `json:"teams"`
	// Injects lists every inject delivered, in order of first delivery.
	Injects []InjectInfo `json:"injects"`
	// Expectations holds one row per expectation instance (inject,
	// expectation, team), in the order they were opened.
	Expectations []ExpectationResult `json:"expectations"`
	// Shares lists the share actions, in log order: every one, or the
	// first MaxSharesPerTeam of each team when SharesOmitted says how many
	// more there were (Summary.Shares and Network count them all).
	Shares        []Share `json:"shares"`
	SharesOmitted int     `json:"shares_omitted,omitempty"`
	// Network aggregates Shares into directed links between teams.
	Network []Link `json:"network"`
	// Communication is who talked to whom, how fast requests were answered
	// and the SimCell's load (see communication.go).
	Communication Communication `json:"communication"`
	// Incidents trace where each incident went and why.
	Incidents []IncidentPath `json:"incidents"`
	// Notes are the evaluators' observations, in log order: every one, or
	// the first MaxNotes when NotesOmitted says how many more there were.
	Notes        []Note `json:"notes"`
	NotesOmitted int    `json:"notes_omitted,omitempty"`
	// Judgements are the evaluators' judgements of judged expectations.
	Judgements []Judgement `json:"judgements,omitempty"`
	// HotWash is the participants' feedback after the end (hotwash.go);
	// nil when no hot wash survey was opened.
	HotWash *HotWash `json:"hot_wash,omitempty"`
	// Decisions are the paths the teams took at the scenario's decision
	// points, and Alternatives what each choice led to in simulated runs
	// (decisions.go).
	Decisions    []DecisionPath         `json:"decisions,omitempty"`
	Alternatives []DecisionAlternatives `json:"alternatives,omitempty"`
	// Strengths and Improvements are derived from the data (see findings.go).
	Strengths    []Finding `json:"strengths"`
	Improvements []Finding `json:"areas_for_improvement"`
	// Plan turns each area for improvement into a recommendation.
	Plan []PlanItem `json:"improvement_plan"`
	// AAREdited says the lead evaluator edited Strengths, Improvements and
	// Plan (aar.go); nil when they are the draft derived from the data.
	AAREdited *AAREdit `json:"aar_edited,omitempty"`
	// Team is set on a team-scoped report: the team it covers.
	Team string `json:"team,omitempty"`
	// Baseline describes the simulated baseline the teams were compared
	// against, when one was given.
	Baseline *BaselineInfo `json:"baseline,omitempty"`
	// Log is the event log, one line per event: every event of a log of
	// ordinary length, or, when LogExcerpt is set, an excerpt of a long
	// one chosen per team (see LaneKeyEvents). The whole log is then the
	// separate appendix (WriteAppendixCSV).
	Log        []LogEntry  `json:"log"`
	LogExcerpt *LogExcerpt `json:"log_excerpt,omitempty"`
}

// ExerciseInfo identifies the exercise run the report covers.
type ExerciseInfo struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Version     string `json:"version,omitempty"`
	// Language is the language the scenario is written in (its
	// exercise.language).
	Language string `json:"language,omitempty"`
	// Languages are the languages the scenario promises its texts in (its
	// language first, then exercise.languages). The report shows the
	// scenario's texts (title, description, objectives, incidents, injects,
	// critical tasks) in the report's language where the scenario
	// translates them, else as written.
	Languages []string `json:"languages,omitempty"`
	// StartTime is the calendar time of T+0 (RFC 3339), when the scenario
	// anchors one.
	StartTime string `json:"start_time,omitempty"`
	// RunStart and RunEnd are the wall-clock times (RFC 3339) the exercise
	// really ran, when known (see Options.RunStart); the log's times are
	// virtual and do not say.
	RunStart string `json:"run_start,omitempty"`
	RunEnd   string `json:"run_end,omitempty"`
	// Planned is the scenario's planned duration of play.
	Planned Duration `json:"planned_duration"`
	// End is the virtual time of the log's last event.
	End Duration `json:"end"`
	// Ended says whether the log holds exercise.ended; a report of a running
	// exercise is an interim report and its open expectations stay "open".
	Ended     bool   `json:"ended"`
	EndReason string `json:"end_reason,omitempty"`
	Seed      uint64 `json:"seed"`
	// Humans lists the teams humans played at any time, in scenario order.
	Humans []string `json:"humans,omitempty"`
	// Events is the number of events in the log.
	Events int `json:"events"`
}

// Summary holds the exercise's overall results.
type Summary struct {
	Points    float64 `json:"points"`
	MaxPoints float64 `json:"max_points"`
	// Fraction is Points / MaxPoints (0 when nothing was available).
	Fraction float64 `json:"fraction"`
	// Rating applies the scenario's exercise-wide thresholds to Fraction.
	Rating   Rating   `json:"rating"`
	Outcomes Outcomes `json:"outcomes"`
	Teams    int      `json:"teams"`
	// Injects counts distinct injects delivered; Deliveries counts
	// (inject, team) deliveries.
	Injects       int `json:"injects"`
	Deliveries    int `json:"deliveries"`
	Actions       int `json:"actions"`
	Shares        int `json:"shares"`
	TLPViolations int `json:"tlp_violations"`
	Spreads       int `json:"spreads"`
	Notes         int `json:"notes"`
	// Text is a one-paragraph narrative of the above.
	Text string `json:"text"`
}

// Outcomes counts expectation instances by outcome.
type Outcomes struct {
	Met        int `json:"met"`
	Late       int `json:"late"`
	Wrong      int `json:"wrong"`
	Missed     int `json:"missed"`
	Unanswered int `json:"unanswered"`
	Open       int `json:"open"`
	// NotDue counts expectations whose deadline had not come when the
	// exercise ended (early): they earn nothing and count for nothing.
	NotDue int `json:"not_due,omitempty"`
}

// Total returns the number of expectation instances counted.
func (o Outcomes) Total() int {
	return o.Met + o.Late + o.Wrong + o.Missed + o.Unanswered + o.Open + o.NotDue
}

// Short returns the expectations that fell short: wrong, missed or
// unanswered.
func (o Outcomes) Short() int { return o.Wrong + o.Missed + o.Unanswered }

func (o *Outcomes) add(x Outcome) {
	switch x {
	case OutcomeMet:
		o.Met++
	case OutcomeLate:
		o.Late++
	case OutcomeWrong:
		o.Wrong++
	case OutcomeMissed:
		o.Missed++
	case OutcomeUnanswered:
		o.Unanswered++
	case OutcomeNotDue:
		o.NotDue++
	default:
		o.Open++
	}
}

// ScoreLine is points earned against points available for one objective or
// capability.
type ScoreLine struct {
	// ID is the objective id or the capability name.
	ID string `json:"id"`
	// Label is the objective's text or the capability's name.
	Label string `json:"label"`
	// Capability is set on objective lines.
	Capability string  `json:"capability,omitempty"`
	Points     float64 `json:"points"`
	MaxPoints  float64 `json:"max_points"`
	Fraction   float64 `json:"fraction"`
	// Rating is "" when no points were available (not exercised).
	Rating   Rating   `json:"rating"`
	Outcomes Outcomes `json:"outcomes"`
}

// Thresholds are the minimum fractions of available points for P, S and M.
type Thresholds struct {
	P float64 `json:"p"`
	S float64 `json:"s"`
	M float64 `json:"m"`
}

// ObjectiveResult rates one exercise objective, with the evidence.
type ObjectiveResult struct {
	ScoreLine
	Thresholds Thresholds `json:"thresholds"`
	// Teams rates the objective per team, for teams that had points
	// available for it.
	Teams []TeamRating `json:"teams"`
	// FellShort lists the teams rated below P, worst first.
	FellShort []string `json:"fell_short,omitempty"`
	// Evidence says in one sentence what produced the rating.
	Evidence string `json:"evidence"`
	// Baseline is how often simulated runs achieved the objective.
	Baseline *ObjectiveBaseline `json:"baseline,omitempty"`
	// Notes are the evaluator notes tied to this objective.
	Notes []Note `json:"notes,omitempty"`
	// EEG is the objective's exercise evaluation guide, when it has
	// critical tasks, observations or ratings (eeg.go); Rating is then its
	// final rating.
	EEG *ObjectiveEEG `json:"eeg,omitempty"`
}

// TeamRating is one team's result on one objective.
type TeamRating struct {
	Team      string   `json:"team"`
	Points    float64  `json:"points"`
	MaxPoints float64  `json:"max_points"`
	Fraction  float64  `json:"fraction"`
	Rating    Rating   `json:"rating"`
	Outcomes  Outcomes `json:"outcomes"`
}

// TeamResult is one team's scorecard.
type TeamResult struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Country string `json:"country,omitempty"`
	Sector  string `json:"sector,omitempty"`
	// Mode is who played the team at the end; Human says whether humans
	// played it at any time.
	Mode   string  `json:"mode"`
	Human  bool    `json:"human"`
	Points float64 `json:"points"`
	// Provisional is the part of Points that awaits judgement, over ToJudge
	// expectations.
	Provisional float64  `json:"provisional_points,omitempty"`
	ToJudge     int      `json:"to_judge,omitempty"`
	MaxPoints   float64  `json:"max_points"`
	Fraction    float64  `json:"fraction"`
	Rating      Rating   `json:"rating"`
	Outcomes    Outcomes `json:"outcomes"`
	// Objectives and Capabilities break the score down.
	Objectives   []ScoreLine `json:"objectives"`
	Capabilities []ScoreLine `json:"capabilities"`
	// Times are the team's response times per action (see TimeStat).
	Times []TimeStat `json:"times"`
	// Delivered counts the injects the team received; Actions its accepted
	// actions.
	Delivered int `json:"delivered"`
	Actions   int `json:"actions"`
	// Unanswered lists the injects the team received and never acted on.
	Unanswered []string `json:"unanswered,omitempty"`
	// Given and Received are the shares the team made and got.
	Given    []Share `json:"shares_given,omitempty"`
	Received []Share `json:"shares_received,omitempty"`
	// Incidents is where each incident that reached the team stands.
	Incidents []PhaseState `json:"incidents,omitempty"`
	// Standing places the team against the simulated baseline.
	Standing []Standing `json:"standing,omitempty"`
	// Notes are the evaluator notes about this team.
	Notes []Note `json:"notes,omitempty"`
}

// TimeStat summarises how fast a team answered expectations of one action.
// The times are the latencies of the team's expectation.met events (from
// the inject's delivery to the team to the answer that met it, as the log
// records them), the same measure the batch baseline samples. Median is the
// middle value (the upper middle for an even count, as the batch computes
// it); Worst the longest. NotMet counts the team's expectations of the
// action that were never met, which the times cannot show.
type TimeStat struct {
	Action string    `json:"action"`
	Met    int       `json:"met"`
	Median *Duration `json:"median,omitempty"`
	Worst  *Duration `json:"worst,omitempty"`
	NotMet int       `json:"not_met"`
}

// InjectInfo describes one delivered inject.
type InjectInfo struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Incident string `json:"incident,omitempty"`
	TLP      string `json:"tlp,omitempty"`
	Severity string `json:"severity,omitempty"`
	// AdHoc marks an inject a facilitator composed during play.
	AdHoc      bool       `json:"adhoc,omitempty"`
	Deliveries []Delivery `json:"deliveries"`
	// Answered counts the receiving teams that acted on it.
	Answered int `json:"answered"`
}

// Delivery is one inject reaching one team.
type Delivery struct {
	Team string   `json:"team"`
	At   Duration `json:"at"`
	// Cause is what released it, as the log says ("T+0:10", "after:I01",
	// "miss:I01.share:co-csirt", "spread:to-peru", "facilitator").
	Cause string `json:"cause,omitempty"`
}

// Outcome is what became of one expectation instance.
type Outcome string

// The outcomes. Met, late, wrong and missed mean what engine.Outcome means.
// Unanswered is an expectation still open when the exercise ended although
// its deadline had come; not due is one whose deadline fell after the end
// (an exercise ended early), which is left out of the points available;
// open is one still open in an interim report.
const (
	OutcomeMet        Outcome = "met"
	OutcomeLate       Outcome = "late"
	OutcomeWrong      Outcome = "wrong"
	OutcomeMissed     Outcome = "missed"
	OutcomeUnanswered Outcome = "unanswered"
	OutcomeOpen       Outcome = "open"
	OutcomeNotDue     Outcome = "not_due"
)

// ExpectationResult is one expectation of one inject for one team.
type ExpectationResult struct {
	Team        string `json:"team"`
	Inject      string `json:"inject"`
	Expectation string `json:"expectation"`
	Action      string `json:"action"`
	Objective   string `json:"objective,omitempty"`
	Capability  string `json:"capability,omitempty"`
	// Delivered is when the inject reached the team; Deadline when the
	// expectation fell due.
	Delivered Duration `json:"delivered"`
	Deadline  Duration `json:"deadline"`
	// Answered is when it was met, or when the last wrong answer came.
	Answered *Duration `json:"answered,omitempty"`
	// Latency is Answered minus Delivered (from the met event when met).
	Latency   *Duration `json:"latency,omitempty"`
	Outcome   Outcome   `json:"outcome"`
	Points    float64   `json:"points"`
	MaxPoints int       `json:"max_points"`
	// Wrong counts wrong answers given.
	Wrong int `json:"wrong,omitempty"`
	// Reason explains a wrong answer, a miss or an unanswered expectation.
	Reason string `json:"reason,omitempty"`
	// Consequences lists what missing it set off.
	Consequences []Consequence `json:"consequences,omitempty"`
	// Scoring says how the points of a judged expectation were scored
	// (provisional, judged, decided; see judgement.go), Rating the
	// evaluators' reconciled rating and Disagreement whether they disagree.
	// Empty Scoring: scored by the engine alone.
	Scoring      string `json:"scoring,omitempty"`
	Rating       string `json:"rating,omitempty"`
	Disagreement bool   `json:"disagreement,omitempty"`
}

// Key identifies the instance: INJECT.EXPECTATION@TEAM.
func (e *ExpectationResult) Key() string { return e.Inject + "." + e.Expectation + "@" + e.Team }

// Consequence is something a missed expectation set off.
type Consequence struct {
	// Kind is "inject" (an escalation inject was delivered) or "spread".
	Kind string   `json:"kind"`
	ID   string   `json:"id"`
	Team string   `json:"team"`
	At   Duration `json:"at"`
}

// Share is one share action: a team passing an inject's information to
// peers.
type Share struct {
	At     Duration `json:"at"`
	From   string   `json:"from"`
	To     []string `json:"to"`
	TLP    string   `json:"tlp"`
	Inject string   `json:"inject"`
	// InjectTLP is the marking the inject carried when delivered to From.
	InjectTLP string `json:"inject_tlp,omitempty"`
	Actor     string `json:"actor"`
	// TLPViolation: shared at a more open TLP than the information allows.
	TLPViolation bool `json:"tlp_violation,omitempty"`
	// Problems are the reasons of the expectation.wrong events the share
	// caused (TLP violation, wrong peer).
	Problems []string `json:"problems,omitempty"`
}

// Link aggregates the shares from one team to another.
type Link struct {
	From  string     `json:"from"`
	To    string     `json:"to"`
	Count int        `json:"count"`
	TLPs  []TLPCount `json:"tlps"`
	// Violations counts shares on this link at a too-open TLP.
	Violations int `json:"violations,omitempty"`
}

// TLPCount counts shares at one TLP level.
type TLPCount struct {
	TLP   string `json:"tlp"`
	Count int    `json:"count"`
}

// IncidentPath traces one incident: its origin, where it spread and why, and
// the phase it reached at each team.
type IncidentPath struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Sector string `json:"sector,omitempty"`
	Origin string `json:"origin,omitempty"`
	// Spreads are the spreads that happened, in order.
	Spreads []SpreadResult `json:"spreads,omitempty"`
	// Prevented are the spreads a missed expectation would have set off
	// but that did not happen because the teams answered in time.
	Prevented []PreventedSpread `json:"prevented,omitempty"`
	Teams     []PhaseState      `json:"teams,omitempty"`
}

// SpreadResult is one incident.spread event, explained.
type SpreadResult struct {
	ID     string   `json:"id"`
	At     Duration `json:"at"`
	To     string   `json:"to"`
	Sector string   `json:"sector,omitempty"`
	// Cause is the log's cause; CauseKind its first part ("miss",
	// "action", "after", "facilitator").
	Cause     string `json:"cause"`
	CauseKind string `json:"cause_kind"`
	// Expectation and Team name the missed expectation (INJECT.EXPECTATION)
	// and the team that missed it, for a spread caused by a miss.
	Expectation string `json:"expectation,omitempty"`
	Team        string `json:"team,omitempty"`
	// Failed lists the teams that had the missed expectation and had not
	// met it when the incident spread.
	Failed []string `json:"failed,omitempty"`
	// Explanation says why, in a sentence.
	Explanation string `json:"explanation"`
}

// PreventedSpread is a spread that timely answers kept from happening.
type PreventedSpread struct {
	ID string `json:"id"`
	To string `json:"to"`
	// Guard is the expectation whose miss would have fired the spread; By
	// the teams that met it.
	Guard       string   `json:"guard"`
	By          []string `json:"by"`
	Explanation string   `json:"explanation"`
}

// PhaseState is where an incident stands for one team, with its history.
type PhaseState struct {
	Team     string      `json:"team,omitempty"`
	Incident string      `json:"incident,omitempty"`
	Phase    string      `json:"phase"`
	Steps    []PhaseStep `json:"steps"`
}

// PhaseStep is one incident.phase event.
type PhaseStep struct {
	Phase string   `json:"phase"`
	At    Duration `json:"at"`
}

// Note is an evaluator's observation, attached to a team, an inject and a
// time.
type Note struct {
	Seq    uint64   `json:"seq"`
	At     Duration `json:"at"`
	By     string   `json:"by"`
	Team   string   `json:"team,omitempty"`
	Inject string   `json:"inject,omitempty"`
	// Objective is the objective the note is about, if the evaluator
	// named one.
	Objective string `json:"objective,omitempty"`
	Text      string `json:"text"`
}

// Priority orders areas for improvement.
type Priority string

// The priorities.
const (
	PriorityHigh   Priority = "high"
	PriorityMedium Priority = "medium"
	PriorityLow    Priority = "low"
)

// Finding is a strength or an area for improvement observed in the data.
type Finding struct {
	// Kind names the rule that produced it: "objective", "spread",
	// "tlp_violation", "wrong_peer", "classification", "escalation",
	// "unanswered", "missed", "slow", "fast_ack", "sharing", "team_score",
	// "prevented", "contained", "baseline".
	Kind string `json:"kind"`
	// ID identifies the finding in the AAR/IP ("S1", "A2"): a plan item
	// names the area for improvement it answers by this id.
	ID   string `json:"id,omitempty"`
	Text string `json:"text"`
	// Teams are the teams it concerns (empty: the exercise as a whole).
	Teams      []string `json:"teams,omitempty"`
	Objective  string   `json:"objective,omitempty"`
	Capability string   `json:"capability,omitempty"`
	Priority   Priority `json:"priority,omitempty"`
}

// PlanItem is one row of the improvement plan.
type PlanItem struct {
	// ID identifies the item; AreaID is the ID of the area for
	// improvement (Report.Improvements) it answers.
	ID             string   `json:"id,omitempty"`
	AreaID         string   `json:"area_id,omitempty"`
	Area           string   `json:"area"`
	Recommendation string   `json:"recommendation"`
	Capability     string   `json:"capability"`
	Responsible    []string `json:"responsible"`
	Priority       Priority `json:"priority"`
	// The corrective action's tracking, set by the lead evaluator's edit
	// (aar.go): the objective it serves (when one was chosen), the
	// responsible organisation (a team or actor id), its point of
	// contact, its start and completion dates (YYYY-MM-DD) and its status.
	Objective    string `json:"objective,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	Contact      string `json:"contact,omitempty"`
	Start        string `json:"start,omitempty"`
	Completion   string `json:"completion,omitempty"`
	Status       string `json:"status,omitempty"`
}

// BaselineInfo identifies the simulated baseline a report compares against.
type BaselineInfo struct {
	Scenario  string `json:"scenario"`
	Runs      int    `json:"runs"`
	FirstSeed uint64 `json:"first_seed"`
}

// Standing places one team metric against the simulated baseline.
type Standing struct {
	Metric Metric  `json:"metric"`
	Unit   string  `json:"unit"`
	Value  float64 `json:"value"`
	// Percentile is the percentage of simulated values below Value (ties
	// count half).
	Percentile float64 `json:"percentile"`
	// Better is the percentage of simulated runs this team did better than:
	// Percentile for scores, 100 − Percentile for times.
	Better float64 `json:"better"`
	// Runs is how many simulated runs gave a value.
	Runs int     `json:"runs"`
	P10  float64 `json:"p10"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
}

// LogEntry is one event of the log in the appendix.
type LogEntry struct {
	Seq    uint64   `json:"seq"`
	At     Duration `json:"at"`
	Type   string   `json:"type"`
	Actor  string   `json:"actor"`
	Team   string   `json:"team,omitempty"`
	Inject string   `json:"inject,omitempty"`
	Action string   `json:"action,omitempty"`
	TLP    string   `json:"tlp,omitempty"`
	// Summary says what happened, in words; in a report (not the
	// appendix) it is cut at MaxTextRunes.
	Summary string `json:"summary"`
}
