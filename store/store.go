// Package store keeps what must survive a restart of the server: every
// exercise's event log, the scenario it runs, its join codes, and the
// signed-in sessions.
//
// The event log is the only state of an exercise that matters (engine.Fold
// and engine.Rerun rebuild everything else from it), so the store's one
// strong promise is about events: Append returns only once the events are
// durably committed, and a log is always a gap-free sequence numbered from 1.
// A server acknowledges a command to its sender only after Append returned
// nil for the events the command produced.
//
// Store is the interface; store/sqlite implements it with embedded SQLite and
// store/postgres implements it on PostgreSQL. Every implementation must pass the
// conformance suite in store/storetest. Events are encoded with the compact
// binary codec of this package (AppendEvent, DecodeEvent, Decoder), which
// backends may use to store them.
package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"cmesim/engine"
)

// Exercise is what the server needs, besides the event log, to bring a live
// exercise back after a restart.
type Exercise struct {
	// ID identifies the exercise; the server chooses it.
	ID string
	// Created is when the exercise was created (wall time). Backends keep it
	// to the nanosecond but not its location or monotonic reading: compare
	// with Equal.
	Created time.Time
	// Scenario is the bundled scenario's name, or the uploaded file's
	// display name.
	Scenario string
	// Source is the scenario YAML exactly as loaded, so the exercise runs the
	// same scenario after a restart even if the library or the file changed.
	Source []byte
	// Seed, Humans and Speed are the options the exercise was started with.
	Seed   uint64
	Humans []string
	Speed  float64
	// Codes is opaque to the store: the server's join codes, stored and
	// returned as they are. An empty value is returned as nil.
	Codes json.RawMessage
	// Files are the files the scenario attaches, by path relative to the
	// scenario file, so that Source loads again anywhere (see
	// scenarios.ParseWith). Backends keep each content once, by SHA-256,
	// however many exercises attach it. None is returned as nil.
	Files map[string][]byte
	// LogVersion is the engine.LogVersion of the newest cmesim that wrote
	// the exercise's log, and FirstLogVersion that of the oldest, the one
	// its first events were written with: a restore refuses a log newer
	// than it knows and compares older events as their version recorded
	// them (see engine.RerunLog). CreateExercise stores 0 as
	// engine.LogVersion, and a FirstLogVersion of 0 as LogVersion.
	// Exercises stored before the version existed read back as version 1.
	LogVersion      int
	FirstLogVersion int
}

// LogVersions returns e's log versions as CreateExercise stores them:
// zeros replaced by their defaults.
func (e *Exercise) LogVersions() (first, last int) {
	last = e.LogVersion
	if last == 0 {
		last = engine.LogVersion
	}
	first = e.FirstLogVersion
	if first == 0 {
		first = last
	}
	return first, last
}

// Session is a signed-in participant, kept so that people stay signed in
// across a restart of the server.
type Session struct {
	Token    string
	Exercise string
	Role     string
	Team     string
	Name     string
	// Expires is when the session ends; the zero time means never.
	Expires time.Time
}

// Store persists exercises, their event logs and sessions. Implementations
// are safe for concurrent use.
type Store interface {
	// CreateExercise stores a new exercise with an empty event log. It fails
	// with an error wrapping ErrExists if the id is taken.
	CreateExercise(ctx context.Context, e *Exercise) error
	// Exercise returns the exercise with the given id, or an error wrapping
	// ErrNotFound.
	Exercise(ctx context.Context, id string) (*Exercise, error)
	// Exercises lists every exercise in creation order.
	Exercises(ctx context.Context) ([]Exercise, error)

	// Append durably writes events that continue the exercise's log: the
	// first event's Seq must be one more than the last stored (1 for an empty
	// log) and the events consecutive; otherwise it fails with an error
	// wrapping ErrSequence and nothing is written. It fails with ErrNotFound
	// if the exercise does not exist. It returns only once the events are
	// committed (fsynced). Safe for concurrent use; concurrent appends (to
	// any exercises) share commits (group commit). Appending no events is a
	// no-op.
	//
	// If ctx is done before the events are handed to the writer, Append
	// returns ctx's error and nothing is written; once handed over, Append
	// waits for the outcome, so a nil error always means durable and a
	// non-nil error always means not written.
	Append(ctx context.Context, exercise string, events []engine.Event) error
	// Events returns the events of the exercise's log with Seq > since, in
	// order; ErrNotFound if the exercise does not exist.
	Events(ctx context.Context, exercise string, since uint64) ([]engine.Event, error)
	// LastSeq returns the Seq of the last event in the exercise's log, 0 if
	// it is empty; ErrNotFound if the exercise does not exist.
	LastSeq(ctx context.Context, exercise string) (uint64, error)

	// PutSession stores a session, replacing one with the same token.
	PutSession(ctx context.Context, s Session) error
	// DeleteSession removes a session; removing an unknown token is not an
	// error (signing out twice is harmless).
	DeleteSession(ctx context.Context, token string) error
	// Sessions lists the sessions that have not expired, ordered by token.
	Sessions(ctx context.Context) ([]Session, error)

	// Close waits for the commit in progress, fails the appends still
	// waiting with ErrClosed and releases the store. Calling it again
	// returns nil.
	Close() error
}

// The errors a Store returns, wrapped with the exercise, token or sequence
// numbers concerned: test with errors.Is.
var (
	// ErrNotFound means the exercise does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists means an exercise with that id already exists.
	ErrExists = errors.New("already exists")
	// ErrSequence means the events appended do not continue the log: a gap,
	// a duplicate or a batch that is not consecutive. It usually means two
	// writers for one exercise, which is a bug in the caller.
	ErrSequence = errors.New("events out of sequence")
	// ErrClosed means the store was closed.
	ErrClosed = errors.New("store closed")
	// ErrCorrupt means stored data cannot be decoded.
	ErrCorrupt = errors.New("corrupt data")
	// ErrNoSpace means a write failed because the disk or database holding
	// the store is full; nothing was written, and the same write may
	// succeed once space is freed.
	ErrNoSpace = errors.New("no space left for the store")
)

// DamagedLogError is the error of reading an exercise's log that cannot be
// read in full: its events up to LastGood read back intact, what follows
// does not. It wraps ErrCorrupt.
type DamagedLogError struct {
	Exercise string
	// LastGood is the seq of the last event that reads back intact, 0 if
	// none does.
	LastGood uint64
	// Err says what is wrong after LastGood.
	Err error
}

// Error says which log is damaged and where its readable part stops.
func (e *DamagedLogError) Error() string {
	return fmt.Sprintf("exercise %q: the event log cannot be read after event %d: %v", e.Exercise, e.LastGood, e.Err)
}

// Unwrap returns ErrCorrupt and the cause.
func (e *DamagedLogError) Unwrap() []error { return []error{ErrCorrupt, e.Err} }

// Salvager is implemented by a Store that can read the intact beginning of
// a damaged log (both backends do), for recovery tools.
type Salvager interface {
	// Salvage returns the exercise's log from its first event to the last
	// one that reads back intact. For an intact log that is the whole log
	// and a nil error; for a damaged one the error is a
	// *DamagedLogError saying where it stops. ErrNotFound if the exercise
	// does not exist.
	Salvage(ctx context.Context, exercise string) ([]engine.Event, error)
}

// LogVersioner is implemented by a Store that records which version of
// cmesim continues a log (both backends do).
type LogVersioner interface {
	// RaiseLogVersion records that a cmesim of log version v writes the
	// exercise's log from now on: its LogVersion becomes v if it was lower,
	// so that an older cmesim refuses the log instead of misreading it.
	// FirstLogVersion never changes. ErrNotFound if the exercise does not
	// exist.
	RaiseLogVersion(ctx context.Context, exercise string, v int) error
}

// Pinger is implemented by a Store that can tell cheaply whether it is
// reachable, for a server's readiness check.
type Pinger interface {
	// Ping returns nil if the store answers, or why it does not.
	Ping(ctx context.Context) error
}

// Cluster is implemented by a Store that several servers share at once
// (store/postgres). It gives each running exercise one owner at a time, the
// holder of a lease kept in the database, and carries notices between the
// servers so that each can follow the logs the others write. The database is
// the only channel between servers: there is no cluster protocol of our own.
type Cluster interface {
	Store

	// Claim takes the lease of an exercise for holder, or renews it if
	// holder has it, until ttl from now on the database's clock. It
	// succeeds only if nobody holds the lease, holder does, or the lease
	// has expired; otherwise it changes nothing. Either way it returns the
	// lease as it stands afterwards; Lease.Held tells whether holder has it.
	// ErrNotFound if the exercise does not exist. A successful claim by a
	// new holder sends a NoticeLease.
	Claim(ctx context.Context, exercise string, holder Holder, ttl time.Duration) (Lease, error)
	// Release gives up holder's lease on an exercise at once, so another
	// server can claim it without waiting for it to expire, and then
	// sends a NoticeLease; it does nothing if holder does not hold it or
	// the exercise does not exist.
	Release(ctx context.Context, exercise, holder string) error
	// Lease returns the lease of an exercise as it stands; ErrNotFound if
	// the exercise does not exist.
	Lease(ctx context.Context, exercise string) (Lease, error)
	// Renew claims or renews, as Claim does, the leases of all the
	// exercises holder owns, in one statement, and records holder as a
	// live server for ttl (see Servers). It returns the leases as they
	// stand afterwards, by exercise; an exercise that does not exist is
	// left out.
	Renew(ctx context.Context, holder Holder, exercises []string, ttl time.Duration) (map[string]Lease, error)
	// Transfer hands the lease of an exercise that from holds to another
	// server, for ttl, and sends a NoticeLease; it reports whether from
	// held it. The other server finds itself the holder and takes the
	// exercise over.
	Transfer(ctx context.Context, exercise, from string, to Holder, ttl time.Duration) (bool, error)
	// Servers lists the live servers (those whose last Renew has not run
	// out) with their load, in ID order.
	Servers(ctx context.Context) ([]ServerLoad, error)
	// Leave removes holder from the live servers, when it stops.
	Leave(ctx context.Context, holder string) error

	// Session returns the session with the given token if it exists and
	// has not expired, or an error wrapping ErrNotFound: a server looks up
	// there the sessions another server signed in.
	Session(ctx context.Context, token string) (*Session, error)

	// Notify sends a notice to every server listening, this one included.
	// Appends send NoticeEvents by themselves, when they commit.
	Notify(ctx context.Context, n Notice) error
	// Listen delivers the notices of every server on the returned channel
	// until ctx is done, then closes it. It keeps a connection of its own
	// and reconnects when it breaks; since notices sent meanwhile are lost,
	// it then delivers a NoticeResync, as it does when the receiver falls
	// so far behind that notices had to be dropped: the receiver must then
	// re-read what it follows. The channel is buffered; the receiver
	// should not block for long.
	Listen(ctx context.Context) (<-chan Notice, error)
}

// Holder identifies a server that can own exercises.
type Holder struct {
	// ID is unique to one running server process.
	ID string
	// Address is the base URL at which the other servers reach this one
	// ("http://10.0.0.5:8080"), to forward its exercises' commands.
	Address string
}

// ServerLoad is a live server and what it owns.
type ServerLoad struct {
	Holder Holder
	// Exercises counts the exercises whose lease it holds.
	Exercises int
	// Participants counts the unexpired sessions (trainees and staff) of
	// those exercises.
	Participants int
}

// Lease is who owns an exercise.
type Lease struct {
	// Holder owns the exercise; its ID is empty if nobody does.
	Holder Holder
	// Held reports whether the server that asked holds the lease (Claim).
	Held bool
	// Left is how long the lease has left, on the database's clock when it
	// answered; zero or less if it has expired. A holder adds it to its
	// own clock's reading from before it asked, never compares database
	// times with local ones: server clocks disagree.
	Left time.Duration
}

// NoticeKind says what a Notice is about.
type NoticeKind string

// The kinds of notice.
const (
	// NoticeEvents: the exercise's log now ends at Seq.
	NoticeEvents NoticeKind = "events"
	// NoticeExercise: the exercise was created.
	NoticeExercise NoticeKind = "exercise"
	// NoticeLease: the exercise's lease was claimed by a new holder or
	// released.
	NoticeLease NoticeKind = "lease"
	// NoticeClock: the owner's virtual clock of the exercise reads At.
	NoticeClock NoticeKind = "clock"
	// NoticeSignOut: the session with Token signed out.
	NoticeSignOut NoticeKind = "signout"
	// NoticeResync: notices may have been lost; re-read everything.
	NoticeResync NoticeKind = "resync"
)

// Notice is a message between the servers sharing a Cluster store.
type Notice struct {
	Kind     NoticeKind    `json:"kind"`
	Exercise string        `json:"exercise,omitempty"`
	Seq      uint64        `json:"seq,omitempty"`
	At       time.Duration `json:"at,omitempty"`
	Token    string        `json:"token,omitempty"`
}

// FileDigest returns the hex SHA-256 of an attached file: the key under
// which backends store its content.
func FileDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
