package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"time"
	"unsafe"

	"cmesim/engine"
	"cmesim/scenarios"
)

// The binary event encoding.
//
// JSON is the log's canonical, human-readable form (engine.MarshalLog); this
// encoding is the store's: less than half the size (about 105 bytes an event
// on the library's logs, against 250) and many times faster to decode, which
// is what makes replaying long logs on start cheap.
//
// One encoded event is
//
//	uvarint  length of the rest
//	byte     codecVersion
//	uvarint  presence mask: bit i set ⇔ field i below is present
//	uvarint  Seq
//	duration At
//	...      the present fields, in bit order
//
// Strings are a uvarint length and the bytes; lists are a uvarint count and
// the elements; integers are varints; durations are varints of whole seconds
// when they are whole (see appendDuration); float64s are the uvarint of their
// IEEE bits with the bytes reversed (so 5 or 0.5 take two bytes); bools are
// the presence bit alone. The nested Command and AdHocInject have
// masks of their own; Principal, OpenExpectation and AdHocExpectation are
// small and write every field.
//
// A string is present when non-empty, a number when non-zero (a float64
// when its bits are non-zero, so -0 survives), a pointer when non-nil, and a
// slice when non-nil: nil and empty slices are kept apart, so a decoded event
// is reflect.DeepEqual to the encoded one and marshals to the same JSON
// ("to":[] and "to":null differ there). One exception: a group of rarer
// fields (engine.MessageFields and the others) with none of its fields set
// comes back as none, as it marshals to JSON; the engine writes no such
// group.
//
// The length prefix lets a reader skip events without decoding them, and a
// Decoder copy a whole batch into one string once, so that every string
// field of every event in it is a substring: no allocation per string.
const codecVersion = 1

// Presence bits of an event (Event and its Details).
const (
	evType = iota
	evActor
	evTeam
	evAudience
	evInject
	evExpectation
	evAction
	evCategory
	evSeverity
	evTarget
	evPeers
	evTLP
	evText
	evIncident
	evPhase
	evSpread
	evSector
	evSpeed
	evDelay
	evMode
	evDeadline
	evLatency
	evPoints
	evMaxPoints
	evLate
	evReason
	evCause
	evAdHoc
	evExpectations
	evSeed
	evHumans
	evScenario
	evCommand
	evObjective
	// Message fields, added after the others so older records decode unchanged.
	evKind
	evThread
	evReplyTo
	evFrom
	evIndicators
	evItem // SimCell, added after the message fields
	// Judgement fields (engine/judge.go), added after the others.
	evProvisional
	evRating
	evContent
	evDecision
	evDisagreement
	// Reason codes, added after the message fields.
	evReasonCode
	evReasonArgs
	// Hot wash survey fields (engine/survey.go), added after the others.
	evAnonymous
	evAnswers
	// Evaluation guide fields (engine/eeg.go), added after the others.
	evEEG
	// The scheduled start (engine/schedule.go), added after the others.
	evStartAt
	// Decision points (engine/decision.go), added after the others.
	evDecisionPoint
	evBits // the number of bits in use
)

// The presence bits of each group of rarer fields (engine.IncidentFields
// and the others): a decoded event has a group when any of its bits is set.
const (
	incidentBits  = 1<<evPhase | 1<<evSpread | 1<<evSector
	controlBits   = 1<<evSpeed | 1<<evDelay | 1<<evMode
	creationBits  = 1<<evSeed | 1<<evHumans | 1<<evScenario
	messageBits   = 1<<evKind | 1<<evThread | 1<<evReplyTo | 1<<evFrom | 1<<evIndicators
	judgementBits = 1<<evRating | 1<<evContent | 1<<evDecision | 1<<evDisagreement
)

// Presence bits of a Command.
const (
	cmType = iota
	cmByRole
	cmByTeam
	cmByName
	cmInject
	cmTeam
	cmCategory
	cmSeverity
	cmTarget
	cmPeers
	cmTLP
	cmText
	cmSpeed
	cmDelay
	cmMode
	cmIncident
	cmPhase
	cmAdHoc
	cmObjective
	cmTeams // added after the others, so older records decode unchanged
	cmMessage
	cmKind
	cmIndicators
	// Judgement fields, added after the others.
	cmExpectation
	cmRating
	cmPoints
	// Hot wash survey fields, added after the others.
	cmAnonymous
	cmAnswers
	// The edited AAR/IP (engine/aar.go), added after the others.
	cmAAR
	// Evaluation guide fields, added after the others.
	cmEEG
	// The scheduled start, added after the others.
	cmStartAt
	// Decision points, added after the others.
	cmDecisionPoint
	// When the server received a start (log version 3).
	cmReceivedAt
	cmBits
)

// Presence bits of an AdHocInject.
const (
	ahID = iota
	ahTitle
	ahBody
	ahChannel
	ahFrom
	ahTo
	ahSeverity
	ahTLP
	ahExpectations
	ahWall // added after the others, so older records decode unchanged
	ahBits
)

// errTruncated and friends are what DecodeEvent reports, wrapped with
// ErrCorrupt.
var (
	errTruncated = errors.New("truncated")
	errVarint    = errors.New("varint overflows 64 bits")
)

// AppendEvent appends the binary encoding of e to dst and returns the
// extended slice. It never fails: every Event has an encoding.
func AppendEvent(dst []byte, e *engine.Event) []byte {
	start := len(dst)
	dst = append(dst, 0) // the length, fixed up below; one byte if it fits
	dst = append(dst, codecVersion)

	d := &e.Data
	inc, ctl, cre, msg, jdg := d.IncidentDetail(), d.Control(), d.Creation(), d.Message(), d.Judgement()
	var m uint64
	set := func(bit int, ok bool) {
		if ok {
			m |= 1 << bit
		}
	}
	set(evType, e.Type != "")
	set(evActor, e.Actor != "")
	set(evTeam, e.Team != "")
	set(evAudience, e.Audience != nil)
	set(evInject, d.Inject != "")
	set(evExpectation, d.Expectation != "")
	set(evAction, d.Action != "")
	set(evCategory, d.Category != "")
	set(evSeverity, d.Severity != "")
	set(evTarget, d.Target != "")
	set(evPeers, d.Peers != nil)
	set(evTLP, d.TLP != "")
	set(evText, d.Text != "")
	set(evIncident, d.Incident != "")
	set(evPhase, inc.Phase != "")
	set(evSpread, inc.Spread != "")
	set(evSector, inc.Sector != "")
	set(evSpeed, math.Float64bits(ctl.Speed) != 0)
	set(evDelay, ctl.Delay != 0)
	set(evMode, ctl.Mode != "")
	set(evDeadline, d.Deadline != 0)
	set(evLatency, d.Latency != 0)
	set(evPoints, math.Float64bits(d.Points) != 0)
	set(evMaxPoints, d.MaxPoints != 0)
	set(evLate, d.Late)
	set(evReason, d.Reason != "")
	set(evCause, d.Cause != "")
	set(evAdHoc, d.AdHoc != nil)
	set(evExpectations, d.Expectations != nil)
	set(evSeed, cre.Seed != 0)
	set(evHumans, cre.Humans != nil)
	set(evScenario, cre.Scenario != "")
	set(evCommand, d.Command != nil)
	set(evObjective, d.Objective != "")
	set(evKind, msg.Kind != "")
	set(evThread, msg.Thread != 0)
	set(evReplyTo, msg.ReplyTo != 0)
	set(evFrom, msg.From != "")
	set(evIndicators, msg.Indicators != nil)
	set(evItem, d.Item != 0)
	set(evProvisional, d.Provisional)
	set(evRating, jdg.Rating != "")
	set(evContent, math.Float64bits(jdg.Content) != 0)
	set(evDecision, jdg.Decision)
	set(evDisagreement, jdg.Disagreement)
	set(evReasonCode, d.ReasonCode != "")
	set(evReasonArgs, d.ReasonArgs != nil)
	set(evAnonymous, d.Anonymous)
	set(evAnswers, d.Answers != nil)
	set(evEEG, d.EEG != nil)
	set(evStartAt, d.StartAt != nil)
	set(evDecisionPoint, d.DecisionPoint != nil)

	dst = binary.AppendUvarint(dst, m)
	dst = binary.AppendUvarint(dst, e.Seq)
	dst = appendDuration(dst, e.At)
	has := func(bit int) bool { return m&(1<<bit) != 0 }
	if has(evType) {
		dst = appendString(dst, string(e.Type))
	}
	if has(evActor) {
		dst = appendString(dst, e.Actor)
	}
	if has(evTeam) {
		dst = appendString(dst, e.Team)
	}
	if has(evAudience) {
		dst = appendStrings(dst, e.Audience)
	}
	if has(evInject) {
		dst = appendString(dst, d.Inject)
	}
	if has(evExpectation) {
		dst = appendString(dst, d.Expectation)
	}
	if has(evAction) {
		dst = appendString(dst, string(d.Action))
	}
	if has(evCategory) {
		dst = appendString(dst, d.Category)
	}
	if has(evSeverity) {
		dst = appendString(dst, d.Severity)
	}
	if has(evTarget) {
		dst = appendString(dst, d.Target)
	}
	if has(evPeers) {
		dst = appendStrings(dst, d.Peers)
	}
	if has(evTLP) {
		dst = appendString(dst, d.TLP)
	}
	if has(evText) {
		dst = appendString(dst, d.Text)
	}
	if has(evIncident) {
		dst = appendString(dst, d.Incident)
	}
	if has(evPhase) {
		dst = appendString(dst, string(inc.Phase))
	}
	if has(evSpread) {
		dst = appendString(dst, inc.Spread)
	}
	if has(evSector) {
		dst = appendString(dst, inc.Sector)
	}
	if has(evSpeed) {
		dst = appendFloat(dst, ctl.Speed)
	}
	if has(evDelay) {
		dst = appendDuration(dst, ctl.Delay)
	}
	if has(evMode) {
		dst = appendString(dst, string(ctl.Mode))
	}
	if has(evDeadline) {
		dst = appendDuration(dst, d.Deadline)
	}
	if has(evLatency) {
		dst = appendDuration(dst, d.Latency)
	}
	if has(evPoints) {
		dst = appendFloat(dst, d.Points)
	}
	if has(evMaxPoints) {
		dst = binary.AppendVarint(dst, int64(d.MaxPoints))
	}
	if has(evReason) {
		dst = appendString(dst, d.Reason)
	}
	if has(evCause) {
		dst = appendString(dst, d.Cause)
	}
	if has(evAdHoc) {
		dst = appendAdHoc(dst, d.AdHoc)
	}
	if has(evExpectations) {
		dst = binary.AppendUvarint(dst, uint64(len(d.Expectations)))
		for i := range d.Expectations {
			x := &d.Expectations[i]
			dst = appendString(dst, x.ID)
			dst = appendString(dst, string(x.Action))
			dst = appendDuration(dst, x.Deadline)
			dst = binary.AppendVarint(dst, int64(x.Points))
			dst = appendString(dst, x.Objective)
			dst = appendString(dst, x.Text)
		}
	}
	if has(evSeed) {
		dst = binary.AppendUvarint(dst, cre.Seed)
	}
	if has(evHumans) {
		dst = appendStrings(dst, cre.Humans)
	}
	if has(evScenario) {
		dst = appendString(dst, cre.Scenario)
	}
	if has(evCommand) {
		dst = appendCommand(dst, d.Command)
	}
	if has(evObjective) {
		dst = appendString(dst, d.Objective)
	}
	if has(evKind) {
		dst = appendString(dst, msg.Kind)
	}
	if has(evThread) {
		dst = binary.AppendUvarint(dst, msg.Thread)
	}
	if has(evReplyTo) {
		dst = binary.AppendUvarint(dst, msg.ReplyTo)
	}
	if has(evFrom) {
		dst = appendString(dst, msg.From)
	}
	if has(evIndicators) {
		dst = appendStrings(dst, msg.Indicators)
	}
	if has(evItem) {
		dst = binary.AppendUvarint(dst, d.Item)
	}
	if has(evRating) {
		dst = appendString(dst, string(jdg.Rating))
	}
	if has(evContent) {
		dst = appendFloat(dst, jdg.Content)
	}
	if has(evReasonCode) {
		dst = appendString(dst, string(d.ReasonCode))
	}
	if has(evReasonArgs) {
		dst = appendStringMap(dst, d.ReasonArgs)
	}
	if has(evAnswers) {
		dst = appendStringMap(dst, d.Answers)
	}
	if has(evEEG) {
		dst = appendEEG(dst, d.EEG)
	}
	if has(evStartAt) {
		dst = appendTime(dst, *d.StartAt)
	}
	if has(evDecisionPoint) {
		dst = appendDecisionDetails(dst, d.DecisionPoint)
	}
	return fixLength(dst, start)
}

// fixLength writes the length of dst[start+1:] as a uvarint at dst[start],
// where one byte was reserved, moving the body if the length needs more.
func fixLength(dst []byte, start int) []byte {
	n := len(dst) - start - 1
	if n < 0x80 {
		dst[start] = byte(n)
		return dst
	}
	var buf [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(buf[:], uint64(n))
	dst = append(dst, buf[:k-1]...) // room for the extra bytes
	copy(dst[start+k:], dst[start+1:start+1+n])
	copy(dst[start:], buf[:k])
	return dst
}

func appendCommand(dst []byte, c *engine.Command) []byte {
	var m uint64
	set := func(bit int, ok bool) {
		if ok {
			m |= 1 << bit
		}
	}
	set(cmType, c.Type != "")
	set(cmByRole, c.By.Role != "")
	set(cmByTeam, c.By.Team != "")
	set(cmByName, c.By.Name != "")
	set(cmInject, c.Inject != "")
	set(cmTeam, c.Team != "")
	set(cmCategory, c.Category != "")
	set(cmSeverity, c.Severity != "")
	set(cmTarget, c.Target != "")
	set(cmPeers, c.Peers != nil)
	set(cmTLP, c.TLP != "")
	set(cmText, c.Text != "")
	set(cmSpeed, math.Float64bits(c.Speed) != 0)
	set(cmDelay, c.Delay != 0)
	set(cmMode, c.Mode != "")
	set(cmIncident, c.Incident != "")
	set(cmPhase, c.Phase != "")
	set(cmAdHoc, c.AdHoc != nil)
	set(cmObjective, c.Objective != "")
	set(cmTeams, c.Teams != nil)
	set(cmMessage, c.Message != 0)
	set(cmKind, c.Kind != "")
	set(cmIndicators, c.Indicators != nil)
	set(cmExpectation, c.Expectation != "")
	set(cmRating, c.Rating != "")
	set(cmPoints, c.Points != nil)
	set(cmAnonymous, c.Anonymous)
	set(cmAnswers, c.Answers != nil)
	set(cmAAR, c.AAR != nil)
	set(cmEEG, c.EEG != nil)
	set(cmStartAt, c.StartAt != nil)
	set(cmDecisionPoint, c.DecisionPoint != nil)
	set(cmReceivedAt, c.ReceivedAt != nil)
	dst = binary.AppendUvarint(dst, m)
	has := func(bit int) bool { return m&(1<<bit) != 0 }
	if has(cmType) {
		dst = appendString(dst, string(c.Type))
	}
	if has(cmByRole) {
		dst = appendString(dst, string(c.By.Role))
	}
	if has(cmByTeam) {
		dst = appendString(dst, c.By.Team)
	}
	if has(cmByName) {
		dst = appendString(dst, c.By.Name)
	}
	if has(cmInject) {
		dst = appendString(dst, c.Inject)
	}
	if has(cmTeam) {
		dst = appendString(dst, c.Team)
	}
	if has(cmCategory) {
		dst = appendString(dst, c.Category)
	}
	if has(cmSeverity) {
		dst = appendString(dst, c.Severity)
	}
	if has(cmTarget) {
		dst = appendString(dst, c.Target)
	}
	if has(cmPeers) {
		dst = appendStrings(dst, c.Peers)
	}
	if has(cmTLP) {
		dst = appendString(dst, c.TLP)
	}
	if has(cmText) {
		dst = appendString(dst, c.Text)
	}
	if has(cmSpeed) {
		dst = appendFloat(dst, c.Speed)
	}
	if has(cmDelay) {
		dst = appendDuration(dst, c.Delay)
	}
	if has(cmMode) {
		dst = appendString(dst, string(c.Mode))
	}
	if has(cmIncident) {
		dst = appendString(dst, c.Incident)
	}
	if has(cmPhase) {
		dst = appendString(dst, string(c.Phase))
	}
	if has(cmAdHoc) {
		dst = appendAdHoc(dst, c.AdHoc)
	}
	if has(cmObjective) {
		dst = appendString(dst, c.Objective)
	}
	if has(cmTeams) {
		dst = appendStrings(dst, c.Teams)
	}
	if has(cmMessage) {
		dst = binary.AppendUvarint(dst, c.Message)
	}
	if has(cmKind) {
		dst = appendString(dst, c.Kind)
	}
	if has(cmIndicators) {
		dst = appendStrings(dst, c.Indicators)
	}
	if has(cmExpectation) {
		dst = appendString(dst, c.Expectation)
	}
	if has(cmRating) {
		dst = appendString(dst, string(c.Rating))
	}
	if has(cmPoints) {
		dst = appendFloat(dst, *c.Points)
	}
	if has(cmAnswers) {
		dst = appendStringMap(dst, c.Answers)
	}
	if has(cmAAR) {
		dst = appendAAR(dst, c.AAR)
	}
	if has(cmEEG) {
		dst = appendEEG(dst, c.EEG)
	}
	if has(cmStartAt) {
		dst = appendTime(dst, *c.StartAt)
	}
	if has(cmDecisionPoint) {
		dst = appendDecisionChoice(dst, c.DecisionPoint)
	}
	if has(cmReceivedAt) {
		dst = appendTime(dst, *c.ReceivedAt)
	}
	return dst
}

// appendEEG writes an evaluation guide payload: its task, its grade and
// its linked events (a count and the seqs; the count is one more than the
// length, zero for a nil list, so nil and empty stay apart).
func appendEEG(dst []byte, d *engine.EEGDetails) []byte {
	dst = appendString(dst, d.Task)
	dst = appendString(dst, string(d.Grade))
	if d.Events == nil {
		return binary.AppendUvarint(dst, 0)
	}
	dst = binary.AppendUvarint(dst, uint64(len(d.Events))+1)
	for _, seq := range d.Events {
		dst = binary.AppendUvarint(dst, seq)
	}
	return dst
}

func appendAdHoc(dst []byte, a *engine.AdHocInject) []byte {
	var m uint64
	set := func(bit int, ok bool) {
		if ok {
			m |= 1 << bit
		}
	}
	set(ahID, a.ID != "")
	set(ahTitle, a.Title != "")
	set(ahBody, a.Body != "")
	set(ahChannel, a.Channel != "")
	set(ahFrom, a.From != "")
	set(ahTo, a.To != nil)
	set(ahSeverity, a.Severity != "")
	set(ahTLP, a.TLP != "")
	set(ahExpectations, a.Expectations != nil)
	set(ahWall, a.Wall != nil)
	dst = binary.AppendUvarint(dst, m)
	has := func(bit int) bool { return m&(1<<bit) != 0 }
	if has(ahID) {
		dst = appendString(dst, a.ID)
	}
	if has(ahTitle) {
		dst = appendString(dst, a.Title)
	}
	if has(ahBody) {
		dst = appendString(dst, a.Body)
	}
	if has(ahChannel) {
		dst = appendString(dst, a.Channel)
	}
	if has(ahFrom) {
		dst = appendString(dst, a.From)
	}
	if has(ahTo) {
		dst = appendStrings(dst, a.To)
	}
	if has(ahSeverity) {
		dst = appendString(dst, a.Severity)
	}
	if has(ahTLP) {
		dst = appendString(dst, a.TLP)
	}
	if has(ahExpectations) {
		dst = binary.AppendUvarint(dst, uint64(len(a.Expectations)))
		for i := range a.Expectations {
			x := &a.Expectations[i]
			dst = appendString(dst, x.ID)
			dst = appendString(dst, string(x.Action))
			dst = appendDuration(dst, x.Within)
			dst = binary.AppendVarint(dst, int64(x.Points))
			dst = appendString(dst, x.Objective)
		}
	}
	if has(ahWall) {
		dst = appendString(dst, a.Wall.Outlet)
		dst = appendString(dst, a.Wall.Author)
		dst = binary.AppendVarint(dst, int64(a.Wall.Reach))
		dst = binary.AppendVarint(dst, int64(a.Wall.Engagement))
	}
	return dst
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendStringMap writes a map as its count and its key, value pairs in
// key order (so an event always encodes to the same bytes).
func appendStringMap(dst []byte, m map[string]string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(m)))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		dst = appendString(appendString(dst, k), m[k])
	}
	return dst
}

func appendStrings(dst []byte, ss []string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(ss)))
	for _, s := range ss {
		dst = appendString(dst, s)
	}
	return dst
}

// appendDuration writes a duration as whole seconds when it is one (virtual
// times and deadlines nearly always are: 2 or 3 bytes instead of 6), and as
// seconds and the nanoseconds left over otherwise; the low bit of the first
// varint says which.
func appendDuration(dst []byte, d time.Duration) []byte {
	secs, rem := int64(d/time.Second), int64(d%time.Second)
	if rem == 0 {
		return binary.AppendUvarint(dst, zigzag(secs)<<1)
	}
	dst = binary.AppendUvarint(dst, zigzag(secs)<<1|1)
	return binary.AppendVarint(dst, rem)
}

// zigzag maps signed to unsigned integers so that small magnitudes stay
// small, as binary.AppendVarint does; secs has at most 34 bits, so the shift
// in appendDuration cannot overflow.
func zigzag(x int64) uint64 { return uint64(x<<1) ^ uint64(x>>63) }

// appendTime writes a wall-clock time as the varint of its Unix seconds
// and the uvarint of its nanoseconds; it reads back in UTC (the engine
// keeps its times so).
func appendTime(dst []byte, t time.Time) []byte {
	return binary.AppendUvarint(binary.AppendVarint(dst, t.Unix()), uint64(t.Nanosecond()))
}

func appendFloat(dst []byte, f float64) []byte {
	return binary.AppendUvarint(dst, bits.ReverseBytes64(math.Float64bits(f)))
}

// DecodeEvent decodes one event encoded by AppendEvent from the front of src
// into e, overwriting all of e, and returns the bytes after it. Corrupt or
// truncated input gives an error wrapping ErrCorrupt, never a panic.
//
// The strings of e share one allocation, a copy of the event's bytes, so e
// does not alias src. To decode many events, DecodeEvents is faster.
func DecodeEvent(src []byte, e *engine.Event) (rest []byte, err error) {
	n, k := binary.Uvarint(src)
	if k <= 0 || n > uint64(len(src)-k) {
		return src, corrupt(errTruncated, 0)
	}
	end := k + int(n)
	r := reader{s: string(src[k:end]), arena: new(arena)}
	*e = engine.Event{}
	if err := r.event(e); err != nil {
		return src, err
	}
	return src[end:], nil
}

// DecodeEvents decodes every event in blob, a concatenation of events
// encoded by AppendEvent, and appends to dst those with Seq > since.
// Corrupt or truncated input gives an error wrapping ErrCorrupt (and dst
// with the events decoded so far), never a panic. It is a shorthand for a
// fresh Decoder's Events.
func DecodeEvents(dst []engine.Event, blob []byte, since uint64) ([]engine.Event, error) {
	var d Decoder
	return d.Events(dst, blob, since)
}

// A Decoder decodes batches of events (as DecodeEvents does) with as few
// allocations as possible, which is what makes replaying a long log fast:
//
//   - the part of a batch from the first event it keeps is copied into one
//     string (or used as it is, with EventsString), and every string field
//     of every event is a substring of it;
//   - the small slices and pointers of the events (Audience, Command, …)
//     are carved out of chunks shared across all the batches it decodes.
//
// The events therefore keep each other's memory alive, which is the intent
// for a log read as a whole. Decode the batches of one log with one
// Decoder; the zero value is ready to use. A Decoder is not safe for
// concurrent use.
type Decoder struct {
	arena arena
	// zeroArray is the last event array the decoder allocated, whose
	// elements from zeroFrom on it has not written: still zero, unless a
	// caller wrote past its slice's length, which the decoder's callers
	// must not do.
	zeroArray *engine.Event
	zeroFrom  int
}

// Reserve returns an empty slice with room for n events, to decode a log
// of about that length into without growing and without clearing the
// events again (the allocator already zeroed them).
func (d *Decoder) Reserve(n int) []engine.Event {
	s := make([]engine.Event, 0, n)
	d.zeroArray, d.zeroFrom = unsafe.SliceData(s[:n]), 0
	return s
}

// Events decodes the events in blob with Seq > since and appends them to
// dst; see DecodeEvents.
func (d *Decoder) Events(dst []engine.Event, blob []byte, since uint64) ([]engine.Event, error) {
	return decodeEvents(d, dst, blob, since)
}

// EventsString is Events for a batch held in a string, which it does not
// copy: the decoded events' strings share its memory.
func (d *Decoder) EventsString(dst []engine.Event, blob string, since uint64) ([]engine.Event, error) {
	return decodeEvents(d, dst, blob, since)
}

func decodeEvents[B []byte | string](d *Decoder, dst []engine.Event, blob B, since uint64) ([]engine.Event, error) {
	// Skip the events at or before since without copying or decoding them.
	off := 0
	for off < len(blob) && since > 0 {
		n, k := uvarintOf(blob[off:])
		if k <= 0 || n > uint64(len(blob)-off-k) {
			return dst, corrupt(errTruncated, off)
		}
		seq, ok := peekSeq(blob[off+k : off+k+int(n)])
		if !ok {
			return dst, corrupt(errTruncated, off)
		}
		if seq > since {
			break
		}
		off += k + int(n)
	}
	if off == len(blob) {
		return dst, nil
	}
	all := string(blob[off:]) // a copy for []byte, free for a string
	// A truncated event stops the count; those before it are decoded.
	count, bad := countEvents(all)
	// The events are decoded in place: dst's element is cleared once (free
	// when the decoder itself allocated it), not built in a local, zeroed,
	// and copied in, which went over each 600-odd-byte event three times.
	start := len(dst)
	dst = d.extend(dst, count)
	r := reader{arena: &d.arena}
	i := 0
	for j := start; j < len(dst); j++ {
		n, k := uvarintOf(all[i:])
		r.s, r.i, r.err = all[i+k:i+k+int(n)], 0, nil
		if err := r.event(&dst[j]); err != nil {
			return d.shrink(dst, j), fmt.Errorf("%w (at byte %d)", err, off+i)
		}
		i += k + int(n)
	}
	d.wrote(dst)
	if bad {
		return dst, corrupt(errTruncated, off+i)
	}
	return dst, nil
}

// countEvents counts the whole events at the front of a batch by their
// length prefixes; bad reports that a truncated one follows them.
func countEvents(all string) (count int, bad bool) {
	for i := 0; i < len(all); count++ {
		n, k := uvarintOf(all[i:])
		if k <= 0 || n > uint64(len(all)-i-k) {
			return count, true
		}
		i += k + int(n)
	}
	return count, false
}

// extend returns dst with n more elements, all zero. When dst has not the
// room, the new backing array comes zeroed from the allocator, and the
// decoder remembers that its elements past those it wrote are still zero,
// so that the next batch need not clear them again.
func (d *Decoder) extend(dst []engine.Event, n int) []engine.Event {
	l := len(dst)
	if cap(dst)-l < n {
		grown := make([]engine.Event, l+n, max(l+n, 2*cap(dst)))
		copy(grown, dst)
		d.zeroArray, d.zeroFrom = unsafe.SliceData(grown), l
		return grown
	}
	dst = dst[:l+n]
	if unsafe.SliceData(dst) != d.zeroArray || l < d.zeroFrom {
		clear(dst[l:])
	}
	return dst
}

// shrink cuts dst back to n events after a failed decode, clearing the
// ones it drops.
func (d *Decoder) shrink(dst []engine.Event, n int) []engine.Event {
	clear(dst[n:])
	dst = dst[:n]
	d.wrote(dst)
	return dst
}

// wrote records that the elements of dst's array from len(dst) on are zero
// if they were before dst was decoded into (elements it cleared again may
// lie before earlier writes, hence the max).
func (d *Decoder) wrote(dst []engine.Event) {
	if unsafe.SliceData(dst) == d.zeroArray {
		d.zeroFrom = max(d.zeroFrom, len(dst))
	}
}

// peekSeq returns the Seq of an encoded event body (after the length).
func peekSeq[B []byte | string](body B) (uint64, bool) {
	if len(body) == 0 || body[0] != codecVersion {
		return 0, false
	}
	_, k := uvarintOf(body[1:])
	if k <= 0 {
		return 0, false
	}
	seq, j := uvarintOf(body[1+k:])
	return seq, j > 0
}

func corrupt(err error, at int) error {
	return fmt.Errorf("%w: decoding event at byte %d: %w", ErrCorrupt, at, err)
}

// reader decodes from a string. It remembers the first error and then
// returns zero values, so decoding code checks once at the end.
type reader struct {
	s     string
	i     int
	err   error
	arena *arena
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.i = len(r.s) // every later read fails harmlessly
}

func (r *reader) byte() byte {
	if r.i >= len(r.s) {
		r.fail(errTruncated)
		return 0
	}
	b := r.s[r.i]
	r.i++
	return b
}

func (r *reader) uvarint() uint64 {
	if i := r.i; i+1 < len(r.s) {
		b := r.s[i]
		if b < 0x80 {
			r.i++
			return uint64(b)
		}
		if c := r.s[i+1]; c < 0x80 {
			r.i += 2
			return uint64(b&0x7f) | uint64(c)<<7
		}
	} else if i < len(r.s) && r.s[i] < 0x80 {
		r.i++
		return uint64(r.s[i])
	}
	return r.uvarintSlow()
}

func (r *reader) uvarintSlow() uint64 {
	x, k := uvarintOf(r.s[r.i:])
	if k <= 0 {
		if k == 0 {
			r.fail(errTruncated)
		} else {
			r.fail(errVarint)
		}
		return 0
	}
	r.i += k
	return x
}

// uvarintOf is binary.Uvarint for bytes or a string.
func uvarintOf[B []byte | string](s B) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				return 0, -(i + 1)
			}
			return x | uint64(b)<<shift, i + 1
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	if len(s) >= binary.MaxVarintLen64 {
		return 0, -binary.MaxVarintLen64
	}
	return 0, 0
}

func (r *reader) varint() int64 {
	ux := r.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

func (r *reader) duration() time.Duration {
	u := r.uvarint()
	secs := int64(u>>2) ^ -int64(u>>1&1) // un-zigzag u>>1
	d := time.Duration(secs) * time.Second
	if u&1 != 0 {
		d += time.Duration(r.varint())
	}
	return d
}

func (r *reader) int() int {
	v := r.varint()
	if int64(int(v)) != v {
		r.fail(errors.New("integer overflows int"))
		return 0
	}
	return int(v)
}

// time reads what appendTime wrote.
func (r *reader) time() time.Time {
	sec := r.varint()
	return time.Unix(sec, int64(r.uvarint()%1e9)).UTC()
}

func (r *reader) float() float64 {
	return math.Float64frombits(bits.ReverseBytes64(r.uvarint()))
}

func (r *reader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.s)-r.i) {
		r.fail(errTruncated)
		return ""
	}
	s := r.s[r.i : r.i+int(n)]
	r.i += int(n)
	return s
}

// count reads a list length, checking it against the bytes left (every
// element takes at least one) so corrupt input cannot ask for a huge
// allocation.
func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.s)-r.i) {
		r.fail(errTruncated)
		return 0
	}
	return int(n)
}

func (r *reader) stringMap() map[string]string {
	n := r.count()
	if r.err != nil {
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		k := r.string()
		m[k] = r.string()
	}
	return m
}

func (r *reader) strings() []string {
	n := r.count()
	if r.err != nil {
		return nil
	}
	ss := carve(&r.arena.strs, n, arenaStrings)
	for i := range ss {
		ss[i] = r.string()
	}
	return ss
}

func (r *reader) mask(nbits int) uint64 {
	m := r.uvarint()
	if m>>nbits != 0 {
		r.fail(fmt.Errorf("unknown fields (mask %#x)", m))
		return 0
	}
	return m
}

// event decodes r.s into e, which must be zero.
func (r *reader) event(e *engine.Event) error {
	if v := r.byte(); v != codecVersion && r.err == nil {
		return fmt.Errorf("%w: event encoded with codec version %d, this cmesim reads version %d (was it written by a newer cmesim?)", ErrCorrupt, v, codecVersion)
	}
	m := r.mask(evBits)
	e.Seq = r.uvarint()
	e.At = r.duration()
	d := &e.Data
	has := func(bit int) bool { return m&(1<<bit) != 0 }
	// A group is there when any of its fields is.
	d.IncidentFields = group(m, incidentBits, &r.arena.incidents)
	d.ControlFields = group(m, controlBits, &r.arena.controls)
	d.CreationFields = group(m, creationBits, &r.arena.creations)
	d.MessageFields = group(m, messageBits, &r.arena.messages)
	d.JudgementFields = group(m, judgementBits, &r.arena.judgements)
	inc, ctl, cre, msg, jdg := d.IncidentFields, d.ControlFields, d.CreationFields, d.MessageFields, d.JudgementFields
	if has(evType) {
		e.Type = engine.EventType(r.string())
	}
	if has(evActor) {
		e.Actor = r.string()
	}
	if has(evTeam) {
		e.Team = r.string()
	}
	if has(evAudience) {
		e.Audience = r.strings()
	}
	if has(evInject) {
		d.Inject = r.string()
	}
	if has(evExpectation) {
		d.Expectation = r.string()
	}
	if has(evAction) {
		d.Action = scenarios.Action(r.string())
	}
	if has(evCategory) {
		d.Category = r.string()
	}
	if has(evSeverity) {
		d.Severity = r.string()
	}
	if has(evTarget) {
		d.Target = r.string()
	}
	if has(evPeers) {
		d.Peers = r.strings()
	}
	if has(evTLP) {
		d.TLP = r.string()
	}
	if has(evText) {
		d.Text = r.string()
	}
	if has(evIncident) {
		d.Incident = r.string()
	}
	if has(evPhase) {
		inc.Phase = engine.Phase(r.string())
	}
	if has(evSpread) {
		inc.Spread = r.string()
	}
	if has(evSector) {
		inc.Sector = r.string()
	}
	if has(evSpeed) {
		ctl.Speed = r.float()
	}
	if has(evDelay) {
		ctl.Delay = r.duration()
	}
	if has(evMode) {
		ctl.Mode = engine.Mode(r.string())
	}
	if has(evDeadline) {
		d.Deadline = r.duration()
	}
	if has(evLatency) {
		d.Latency = r.duration()
	}
	if has(evPoints) {
		d.Points = r.float()
	}
	if has(evMaxPoints) {
		d.MaxPoints = r.int()
	}
	d.Late = has(evLate)
	if has(evReason) {
		d.Reason = r.string()
	}
	if has(evCause) {
		d.Cause = r.string()
	}
	if has(evAdHoc) {
		d.AdHoc = r.adHoc()
	}
	if has(evExpectations) {
		n := r.count()
		if r.err == nil {
			xs := carve(&r.arena.exps, n, arenaExpectations)
			for i := range xs {
				x := &xs[i]
				x.ID = r.string()
				x.Action = scenarios.Action(r.string())
				x.Deadline = r.duration()
				x.Points = r.int()
				x.Objective = r.string()
				x.Text = r.string()
			}
			d.Expectations = xs
		}
	}
	if has(evSeed) {
		cre.Seed = r.uvarint()
	}
	if has(evHumans) {
		cre.Humans = r.strings()
	}
	if has(evScenario) {
		cre.Scenario = r.string()
	}
	if has(evCommand) {
		d.Command = r.command()
	}
	if has(evObjective) {
		d.Objective = r.string()
	}
	if has(evKind) {
		msg.Kind = r.string()
	}
	if has(evThread) {
		msg.Thread = r.uvarint()
	}
	if has(evReplyTo) {
		msg.ReplyTo = r.uvarint()
	}
	if has(evFrom) {
		msg.From = r.string()
	}
	if has(evIndicators) {
		msg.Indicators = r.strings()
	}
	if has(evItem) {
		d.Item = r.uvarint()
	}
	d.Provisional = has(evProvisional)
	if jdg != nil {
		jdg.Decision, jdg.Disagreement = has(evDecision), has(evDisagreement)
	}
	if has(evRating) {
		jdg.Rating = engine.Rating(r.string())
	}
	if has(evContent) {
		jdg.Content = r.float()
	}
	if has(evReasonCode) {
		d.ReasonCode = engine.ReasonCode(r.string())
	}
	if has(evReasonArgs) {
		d.ReasonArgs = r.stringMap()
	}
	d.Anonymous = has(evAnonymous)
	if has(evAnswers) {
		d.Answers = r.stringMap()
	}
	if has(evEEG) {
		d.EEG = r.eeg()
	}
	if has(evStartAt) {
		t := r.time()
		d.StartAt = &t
	}
	if has(evDecisionPoint) {
		d.DecisionPoint = r.decisionDetails()
	}
	if r.err == nil && r.i != len(r.s) {
		r.fail(fmt.Errorf("%d unexpected bytes after the event", len(r.s)-r.i))
	}
	if r.err != nil {
		return fmt.Errorf("%w: event %d: %w", ErrCorrupt, e.Seq, r.err)
	}
	return nil
}

func (r *reader) command() *engine.Command {
	m := r.mask(cmBits)
	if r.err != nil {
		return nil
	}
	c := one(&r.arena.cmds, arenaCommands)
	has := func(bit int) bool { return m&(1<<bit) != 0 }
	if has(cmType) {
		c.Type = engine.CommandType(r.string())
	}
	if has(cmByRole) {
		c.By.Role = engine.Role(r.string())
	}
	if has(cmByTeam) {
		c.By.Team = r.string()
	}
	if has(cmByName) {
		c.By.Name = r.string()
	}
	if has(cmInject) {
		c.Inject = r.string()
	}
	if has(cmTeam) {
		c.Team = r.string()
	}
	if has(cmCategory) {
		c.Category = r.string()
	}
	if has(cmSeverity) {
		c.Severity = r.string()
	}
	if has(cmTarget) {
		c.Target = r.string()
	}
	if has(cmPeers) {
		c.Peers = r.strings()
	}
	if has(cmTLP) {
		c.TLP = r.string()
	}
	if has(cmText) {
		c.Text = r.string()
	}
	if has(cmSpeed) {
		c.Speed = r.float()
	}
	if has(cmDelay) {
		c.Delay = r.duration()
	}
	if has(cmMode) {
		c.Mode = engine.Mode(r.string())
	}
	if has(cmIncident) {
		c.Incident = r.string()
	}
	if has(cmPhase) {
		c.Phase = engine.Phase(r.string())
	}
	if has(cmAdHoc) {
		c.AdHoc = r.adHoc()
	}
	if has(cmObjective) {
		c.Objective = r.string()
	}
	if has(cmTeams) {
		c.Teams = r.strings()
	}
	if has(cmMessage) {
		c.Message = r.uvarint()
	}
	if has(cmKind) {
		c.Kind = r.string()
	}
	if has(cmIndicators) {
		c.Indicators = r.strings()
	}
	if has(cmExpectation) {
		c.Expectation = r.string()
	}
	if has(cmRating) {
		c.Rating = engine.Rating(r.string())
	}
	if has(cmPoints) {
		p := r.float()
		c.Points = &p
	}
	c.Anonymous = has(cmAnonymous)
	if has(cmAnswers) {
		c.Answers = r.stringMap()
	}
	if has(cmAAR) {
		c.AAR = r.aar()
	}
	if has(cmEEG) {
		c.EEG = r.eeg()
	}
	if has(cmStartAt) {
		t := r.time()
		c.StartAt = &t
	}
	if has(cmDecisionPoint) {
		c.DecisionPoint = r.decisionChoice()
	}
	if has(cmReceivedAt) {
		t := r.time()
		c.ReceivedAt = &t
	}
	return c
}

func (r *reader) adHoc() *engine.AdHocInject {
	m := r.mask(ahBits)
	if r.err != nil {
		return nil
	}
	a := new(engine.AdHocInject) // rare: facilitators compose few
	has := func(bit int) bool { return m&(1<<bit) != 0 }
	if has(ahID) {
		a.ID = r.string()
	}
	if has(ahTitle) {
		a.Title = r.string()
	}
	if has(ahBody) {
		a.Body = r.string()
	}
	if has(ahChannel) {
		a.Channel = r.string()
	}
	if has(ahFrom) {
		a.From = r.string()
	}
	if has(ahTo) {
		a.To = r.strings()
	}
	if has(ahSeverity) {
		a.Severity = r.string()
	}
	if has(ahTLP) {
		a.TLP = r.string()
	}
	if has(ahExpectations) {
		n := r.count()
		if r.err == nil {
			xs := make([]engine.AdHocExpectation, n)
			for i := range xs {
				x := &xs[i]
				x.ID = r.string()
				x.Action = scenarios.Action(r.string())
				x.Within = r.duration()
				x.Points = r.int()
				x.Objective = r.string()
			}
			a.Expectations = xs
		}
	}
	if has(ahWall) {
		a.Wall = &engine.AdHocWall{Outlet: r.string(), Author: r.string(), Reach: r.int(), Engagement: r.int()}
	}
	return a
}

// arena hands out small slices, Commands and groups of an event's rarer
// fields carved from larger chunks, to decode a log with few allocations.
// Chunks start small and double, so that decoding a short log
// wastes little; they are never reused, only shared, so the events stay
// valid for as long as they are referenced.
type arena struct {
	strs []string
	exps []engine.OpenExpectation
	cmds []engine.Command

	incidents  []engine.IncidentFields
	controls   []engine.ControlFields
	creations  []engine.CreationFields
	messages   []engine.MessageFields
	judgements []engine.JudgementFields
}

// The largest chunks of each kind; a request for more than a quarter of
// one gets an allocation of its own.
const (
	arenaStrings      = 512
	arenaExpectations = 128
	arenaCommands     = 64
	arenaGroups       = 64
)

// grow returns the capacity of the next chunk after one of capacity c.
func grow(c, limit int) int { return min(max(2*c, 8), limit) }

// carve hands out n zero Ts from *chunk, starting a new chunk (of at most
// limit) when it has no room for them. More than a quarter of limit gets
// an allocation of its own; none gets an empty slice, not nil.
func carve[T any](chunk *[]T, n, limit int) []T {
	if n == 0 {
		return []T{}
	}
	if n > limit/4 {
		return make([]T, n)
	}
	if n > cap(*chunk)-len(*chunk) {
		*chunk = make([]T, 0, max(n, grow(cap(*chunk), limit)))
	}
	l := len(*chunk)
	*chunk = (*chunk)[:l+n]
	return (*chunk)[l : l+n : l+n]
}

// one hands out one zero T from *chunk (see carve).
func one[T any](chunk *[]T, limit int) *T { return &carve(chunk, 1, limit)[0] }

// group hands out a zero T from *chunk when the presence bits m include
// any of bits, and nil when they include none.
func group[T any](m, bits uint64, chunk *[]T) *T {
	if m&bits == 0 {
		return nil
	}
	return one(chunk, arenaGroups)
}

// eeg reads what appendEEG wrote.
func (r *reader) eeg() *engine.EEGDetails {
	d := &engine.EEGDetails{Task: r.string(), Grade: engine.Grade(r.string())}
	n := r.uvarint()
	if n == 0 || r.err != nil {
		return d
	}
	if n-1 > uint64(len(r.s)-r.i) {
		r.fail(errTruncated)
		return d
	}
	d.Events = make([]uint64, n-1)
	for i := range d.Events {
		d.Events[i] = r.uvarint()
	}
	return d
}
