package scenarios

import (
	"time"

	"cmesim/scenarios/taxonomy"
)

// Scenario is one crisis-management exercise as written by a facilitator: the
// master scenario events list (MSEL) plus everything needed to run and score it.
type Scenario struct {
	// Format names the version of the scenario language, "cmesim/v1".
	Format    string     `yaml:"format"`
	Exercise  Exercise   `yaml:"exercise"`
	Teams     []Team     `yaml:"teams"`
	Actors    []Actor    `yaml:"actors"`
	Groups    []Group    `yaml:"groups"`
	Network   Network    `yaml:"network"`
	Incidents []Incident `yaml:"incidents"`
	Injects   []Inject   `yaml:"injects"`
	// Taxonomies declares the scenario's own incident taxonomies, which
	// exercise.taxonomy may name instead of a built-in one.
	Taxonomies []TaxonomySpec `yaml:"taxonomies"`
	// HotWash holds the scenario's own hot wash survey questions (hotwash.go).
	HotWash []HotWashQuestion `yaml:"hot_wash"`
	Pos     Pos               `yaml:"-"`
	// File is the name the scenario was loaded from.
	File  string `yaml:"-"`
	index *index
	// files holds the bytes of every attached file, by its clean path
	// relative to the scenario file (see ParseWith).
	files map[string][]byte
	tax   *taxonomy.Taxonomy
}

// Exercise holds the exercise-wide facts: identity, planned duration, the
// default traffic-light protocol level and the objectives that scoring rates.
type Exercise struct {
	ID          string   `yaml:"id"`
	Title       string   `yaml:"title"`
	Description string   `yaml:"description"`
	Language    string   `yaml:"language"`
	Languages   []string `yaml:"languages"`
	Version     string   `yaml:"version"`
	// Duration is the planned length of play; nothing may be scheduled after it.
	Duration Duration `yaml:"duration"`
	// StartTime anchors T+0 to a calendar time (RFC 3339) so simulated teams
	// can apply their working hours in their own time zones.
	StartTime       Timestamp    `yaml:"start_time"`
	StartConditions string       `yaml:"start_conditions"`
	TLPDefault      TLP          `yaml:"tlp_default"`
	Objectives      []Objective  `yaml:"objectives"`
	Scoring         ScoringRules `yaml:"scoring"`
	// Taxonomy names the incident taxonomy that classify expectations and
	// the trainee console use: a built-in one ("rsit", the default) or one
	// declared under the scenario's taxonomies.
	Taxonomy string `yaml:"taxonomy"`
	// PlayerView says how much trainees see of expectations (default
	// action: the action and the deadline).
	PlayerView PlayerView `yaml:"player_view"`
	// ObserversReadNotes lets observers read evaluators' notes.
	ObserversReadNotes bool `yaml:"observers_read_notes"`
	// Translations holds the title, description and start conditions in
	// other languages.
	Translations map[string]ExerciseTranslation `yaml:"translations"`
	// Tags are the library metadata the author declares (tags.go).
	Tags Tags `yaml:"tags"`
	Pos  Pos  `yaml:"-"`
}

// Objective is something the exercise sets out to test; expectations are
// linked to objectives and the after-action report rates each one.
type Objective struct {
	ID         string     `yaml:"id"`
	Text       string     `yaml:"text"`
	Capability Capability `yaml:"capability"`
	// Rating overrides the exercise-wide P/S/M/U thresholds for this objective.
	Rating *RatingThresholds `yaml:"rating"`
	// Translations holds the text in other languages.
	Translations map[string]ObjectiveTranslation `yaml:"translations"`
	// CriticalTasks are what evaluators observe to rate the objective, in
	// its exercise evaluation guide (eeg.go); staff only.
	CriticalTasks []CriticalTask `yaml:"critical_tasks"`
	Pos           Pos            `yaml:"-"`
}

// ScoringRules tune how points are earned.
type ScoringRules struct {
	// LateFactor is the multiple of an expectation's deadline at which a late
	// answer earns nothing; between the deadline and that point the points
	// decay linearly. Zero means the default of 2.
	LateFactor float64 `yaml:"late_factor"`
	// Rating holds the default P/S/M/U thresholds for every objective.
	Rating *RatingThresholds `yaml:"rating"`
	Pos    Pos               `yaml:"-"`
}

// RatingThresholds are the minimum fractions of available points for an
// objective to be rated P (performed without challenges), S (with some
// challenges) or M (with major challenges); below M it is U (unable).
type RatingThresholds struct {
	P   float64 `yaml:"p"`
	S   float64 `yaml:"s"`
	M   float64 `yaml:"m"`
	Pos Pos     `yaml:"-"`
}

// Team is a participating CSIRT. Humans may play it, or a simulated analyst
// pool described by Profile.
type Team struct {
	ID      string `yaml:"id"`
	Name    string `yaml:"name"`
	Country string `yaml:"country"`
	// TimeZone is an IANA name; left out, it is the primary time zone of
	// the team's country when that is an OAS member state.
	TimeZone string `yaml:"timezone"`
	// Languages the team reads (ISO 639-1); left out, the official
	// languages of its country when that is an OAS member state.
	Languages []string `yaml:"languages"`
	// Sector is the team's constituency: "national", "government", "energy",
	// "finance", "telecom", ...
	Sector  string  `yaml:"sector"`
	Profile Profile `yaml:"profile"`
	// Replies are the texts the simulated team answers messages with, by
	// kind ("rfi", "message"); see ReplyTemplate.
	Replies map[string]string `yaml:"replies"`
	// Translations holds the team's display name in other languages, for
	// the languages where it differs.
	Translations map[string]NameTranslation `yaml:"translations"`
	Pos          Pos                        `yaml:"-"`
	loc          *time.Location
}

// Profile describes how a simulated team behaves.
type Profile struct {
	Analysts int `yaml:"analysts"`
	// Skill in [0,1] is the chance that a simulated decision (a classification,
	// a share, an escalation) is made and made right.
	Skill        float64          `yaml:"skill"`
	WorkingHours *WorkingHours    `yaml:"working_hours"`
	Response     []ResponseTiming `yaml:"response"`
	Pos          Pos              `yaml:"-"`
}

// WorkingHours are a team's office hours in its own time zone; outside them a
// simulated team answers OffHoursFactor times more slowly.
type WorkingHours struct {
	Start          ClockTime `yaml:"start"`
	End            ClockTime `yaml:"end"`
	Days           []Weekday `yaml:"days"`
	OffHoursFactor float64   `yaml:"off_hours_factor"`
	Pos            Pos       `yaml:"-"`
}

// ResponseTiming is a log-normal response-time distribution for one kind of
// action: half of the answers come faster than Median; Spread is the sigma of
// the underlying normal distribution (0 means always exactly Median).
type ResponseTiming struct {
	Action Action   `yaml:"action"`
	Median Duration `yaml:"median"`
	Spread float64  `yaml:"spread"`
	Pos    Pos      `yaml:"-"`
}

// Actor is a non-CSIRT party the scenario can message or that teams escalate
// to: a national authority, a regulator, the media, a vendor.
type Actor struct {
	ID      string    `yaml:"id"`
	Name    string    `yaml:"name"`
	Kind    ActorKind `yaml:"kind"`
	Country string    `yaml:"country"`
	// Replies are the actor's reply templates by kind, as for teams.
	Replies map[string]string `yaml:"replies"`
	// Translations holds the actor's display name in other languages.
	Translations map[string]NameTranslation `yaml:"translations"`
	Pos          Pos                        `yaml:"-"`
}

// Group names a set of teams so injects and the sharing network can address
// them together, such as a regional CSIRT network.
type Group struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Members []string `yaml:"members"`
	// Translations holds the group's display name in other languages.
	Translations map[string]NameTranslation `yaml:"translations"`
	Pos          Pos                        `yaml:"-"`
}

// Network is the trust graph that information sharing must follow.
type Network struct {
	Links []Link `yaml:"links"`
	Pos   Pos    `yaml:"-"`
}

// Link lets every team in Between share with every other team in Between at
// the listed TLP levels. Entries of Between are team ids or "group:ID".
type Link struct {
	Between []string `yaml:"between"`
	TLP     []TLP    `yaml:"tlp"`
	Pos     Pos      `yaml:"-"`
}

// Incident groups the injects of one unfolding attack. It moves through the
// phases detected, analysed, contained, eradicated and recovered, and may
// spread to other teams when they are late.
type Incident struct {
	ID     string   `yaml:"id"`
	Title  string   `yaml:"title"`
	Sector string   `yaml:"sector"`
	Origin string   `yaml:"origin"`
	Spread []Spread `yaml:"spread"`
	// Translations holds the title in other languages.
	Translations map[string]IncidentTranslation `yaml:"translations"`
	Pos          Pos                            `yaml:"-"`
}

// Spread is one way the incident can reach another team: when its trigger
// fires, or when an expectation's consequence names it, the incident extends
// to team To (and Sector) and Inject is delivered. Spread ids are unique
// across the scenario.
type Spread struct {
	ID     string   `yaml:"id"`
	To     string   `yaml:"to"`
	Sector string   `yaml:"sector"`
	When   *Trigger `yaml:"when"`
	Inject string   `yaml:"inject"`
	Pos    Pos      `yaml:"-"`
}

// Inject is one message of the MSEL delivered to one or more teams.
type Inject struct {
	ID       string `yaml:"id"`
	Title    string `yaml:"title"`
	Incident string `yaml:"incident"`
	// At is a fixed offset from T+0 ("00:45" or "45m"). At most one of At and
	// Trigger is set; an inject with neither is delivered only as the
	// consequence of a missed expectation or by a spread.
	At      *Duration `yaml:"at"`
	Trigger *Trigger  `yaml:"trigger"`
	Channel Channel   `yaml:"channel"`
	From    string    `yaml:"from"`
	// To lists team ids, "group:ID", "all", or "$team" (the team whose action
	// or miss fired the trigger).
	To       []string `yaml:"to"`
	Severity Severity `yaml:"severity"`
	TLP      TLP      `yaml:"tlp"`
	// Body is Markdown; {{team.name}}, {{team.country}}, {{exercise.title}}
	// and similar variables are filled in per receiving team.
	Body         string                 `yaml:"body"`
	Translations map[string]Translation `yaml:"translations"`
	// ControllerNotes are instructions for facilitators and evaluators
	// (when to release the inject, what to watch for); trainees never see
	// them.
	ControllerNotes string        `yaml:"controller_notes"`
	Attachments     []Attachment  `yaml:"attachments"`
	Expectations    []Expectation `yaml:"expectations"`
	// Wall is how a news or social_media inject shows on the news and
	// social wall (see WallPost).
	Wall *WallPost `yaml:"wall"`
	// Decision is a decision point the inject offers each receiving team
	// (decision.go).
	Decision *Decision `yaml:"decision"`
	Pos      Pos       `yaml:"-"`
}

// Translation is an inject's title and body in another language.
type Translation struct {
	Title string `yaml:"title"`
	Body  string `yaml:"body"`
	Pos   Pos    `yaml:"-"`
}

// Attachment is an artefact delivered with an inject: text written in the
// scenario (indicators of compromise, a log excerpt, a ransom note) or a
// file next to it (a PDF advisory, a screenshot, a packet capture).
type Attachment struct {
	Name    string         `yaml:"name"`
	Kind    AttachmentKind `yaml:"kind"`
	Content string         `yaml:"content"`
	// File is the path of an attached file relative to the scenario file,
	// with forward slashes; an attachment has Content or File, not both.
	File string `yaml:"file"`
	// SHA256 (hex) and Size describe the attached file once loaded.
	SHA256 string `yaml:"-"`
	Size   int64  `yaml:"-"`
	// Translations holds the attachment's name, and optionally its
	// content, in other languages.
	Translations map[string]AttachmentTranslation `yaml:"translations"`
	Pos          Pos                              `yaml:"-"`
}

// Trigger releases an inject (or a spread) in reaction to play. Exactly one
// of After, OnAction, OnMiss, OnChoice and Release is set; Delay waits after
// it fires.
type Trigger struct {
	// After fires when the named inject has been delivered.
	After string `yaml:"after"`
	// OnAction fires when a team performs an action.
	OnAction *ActionMatch `yaml:"on_action"`
	// OnMiss fires when an expectation ("INJECT.EXPECTATION") is missed.
	OnMiss string `yaml:"on_miss"`
	// OnChoice fires when a team takes a choice ("DECISION.CHOICE").
	OnChoice string `yaml:"on_choice"`
	// Release set to "facilitator" waits for a facilitator to release it.
	Release string   `yaml:"release"`
	Delay   Duration `yaml:"delay"`
	Pos     Pos      `yaml:"-"`
}

// ActionMatch selects the team actions that fire a trigger.
type ActionMatch struct {
	Action Action `yaml:"action"`
	// Inject limits the match to actions about this inject.
	Inject string `yaml:"inject"`
	// Team limits the match to one team, or a "group:ID".
	Team string `yaml:"team"`
	Pos  Pos    `yaml:"-"`
}

// Expectation is what each receiving team should do about an inject, by when,
// and for how many points.
type Expectation struct {
	ID        string   `yaml:"id"`
	Action    Action   `yaml:"action"`
	Within    Duration `yaml:"within"`
	Points    int      `yaml:"points"`
	Objective string   `yaml:"objective"`
	// Category ("classification/type" of the exercise's taxonomy) and
	// Severity are the right answers for a classify expectation.
	Category string   `yaml:"category"`
	Severity Severity `yaml:"severity"`
	// To is the actor an escalate expectation must reach.
	To string `yaml:"to"`
	// With lists the peers (team ids or "group:ID") a share must reach, and
	// TLP the marking it must carry at most.
	With []string `yaml:"with"`
	TLP  TLP      `yaml:"tlp"`
	// Prompt tells trainees what is asked of them, without the answer; they
	// see it when exercise.player_view is prompt or points.
	Prompt string `yaml:"prompt"`
	// Translations holds the prompt in other languages.
	Translations map[string]ExpectationTranslation `yaml:"translations"`
	// Criteria tell evaluators what a good answer is; trainees never see
	// them.
	Criteria string `yaml:"criteria"`
	// Description is the former name of Criteria, read as staff-only
	// criteria.
	Description string `yaml:"description"`
	// Judged says evaluators judge the content of the answer: the engine
	// scores it provisionally, on timeliness, until they do.
	Judged bool         `yaml:"judged"`
	OnMiss *Consequence `yaml:"on_miss"`
	Pos    Pos          `yaml:"-"`
}

// Consequence is what happens when an expectation is missed: an escalation
// inject to the late team, and/or the incident spreading to another team.
type Consequence struct {
	// Inject is delivered to the team that missed, after Delay.
	Inject string `yaml:"inject"`
	// Spread names an incident spread (by id) that fires, after Delay.
	Spread string   `yaml:"spread"`
	Delay  Duration `yaml:"delay"`
	Pos    Pos      `yaml:"-"`
}

// Location returns the team's time zone (UTC when it cannot be loaded).
func (t *Team) Location() *time.Location {
	if t.loc == nil {
		loc, err := time.LoadLocation(t.TimeZone)
		if err != nil {
			return time.UTC
		}
		t.loc = loc
	}
	return t.loc
}
