package postgres

import (
	"fmt"

	"cmesim/engine"
)

// NoticesHandedOn is how many notices the DB's Listens have read and
// handed on so far.
func (db *DB) NoticesHandedOn() int64 { return db.handedOn.Load() }

// CompactRows is the number of small rows merged into one, for tests.
const CompactRows = compactRows

// SettleAppend asks settle about an append as if a commit of it had lost
// its connection with err: it returns what settle answered (nil: found,
// written) and whether settle handed it back as surely not written.
func (db *DB) SettleAppend(exercise string, events []engine.Event, err error) (answer error, notWritten bool) {
	r, rerr := db.appendRequest(exercise, events)
	if rerr != nil {
		return rerr, false
	}
	r.reply = make(chan error, 1)
	if rest := db.settle([]*request{r}, err); len(rest) == 1 {
		return nil, true
	}
	return <-r.reply, false
}

// SchemaAt returns the SQL that creates the schema at version v: the
// schema_version table, then the first v migrations, for tests of
// migrating an old database.
func SchemaAt(v int) string {
	s := sqlSchemaVersion
	for _, m := range migrations[:v] {
		s += ";\n" + m
	}
	return s + fmt.Sprintf(";\nUPDATE schema_version SET version = %d", v)
}
