package store

import (
	"encoding/binary"

	"cmesim/engine"
)

// The encoding of an edited AAR/IP (engine.AARDocument), which aar_edit
// commands carry. It is rare and small, so it writes every field: the
// edit date, then the strengths, the areas for improvement and the
// corrective actions as optional lists (see appendOptCount), each finding
// as its id, text, capability, priority and optional list of teams, each
// action as its nine strings in declaration order.

// appendOptCount writes a list's length as n+1, or 0 for a nil list, so
// that nil and empty lists stay apart.
func appendOptCount(dst []byte, isNil bool, n int) []byte {
	if isNil {
		return binary.AppendUvarint(dst, 0)
	}
	return binary.AppendUvarint(dst, uint64(n)+1)
}

func appendAAR(dst []byte, d *engine.AARDocument) []byte {
	dst = appendString(dst, d.Edited)
	dst = appendFindings(dst, d.Strengths)
	dst = appendFindings(dst, d.Improvements)
	dst = appendOptCount(dst, d.Plan == nil, len(d.Plan))
	for i := range d.Plan {
		a := &d.Plan[i]
		for _, s := range [...]string{a.ID, a.Capability, a.Area, a.Action, a.Organisation, a.Contact, a.Start, a.Completion, a.Status} {
			dst = appendString(dst, s)
		}
	}
	return dst
}

func appendFindings(dst []byte, fs []engine.AARFinding) []byte {
	dst = appendOptCount(dst, fs == nil, len(fs))
	for i := range fs {
		f := &fs[i]
		dst = appendString(dst, f.ID)
		dst = appendString(dst, f.Text)
		dst = appendString(dst, f.Capability)
		dst = appendString(dst, f.Priority)
		dst = appendOptCount(dst, f.Teams == nil, len(f.Teams))
		for _, t := range f.Teams {
			dst = appendString(dst, t)
		}
	}
	return dst
}

// optCount reads a length written by appendOptCount: -1 for a nil list.
func (r *reader) optCount() int {
	n := r.uvarint()
	if n == 0 {
		return -1
	}
	if n-1 > uint64(len(r.s)-r.i) {
		r.fail(errTruncated)
		return -1
	}
	return int(n - 1)
}

func (r *reader) aar() *engine.AARDocument {
	d := &engine.AARDocument{Edited: r.string()}
	d.Strengths = r.findings()
	d.Improvements = r.findings()
	if n := r.optCount(); n >= 0 && r.err == nil {
		d.Plan = make([]engine.CorrectiveAction, n)
		for i := range d.Plan {
			a := &d.Plan[i]
			for _, p := range [...]*string{&a.ID, &a.Capability, &a.Area, &a.Action, &a.Organisation, &a.Contact, &a.Start, &a.Completion, &a.Status} {
				*p = r.string()
			}
		}
	}
	return d
}

func (r *reader) findings() []engine.AARFinding {
	n := r.optCount()
	if n < 0 || r.err != nil {
		return nil
	}
	fs := make([]engine.AARFinding, n)
	for i := range fs {
		f := &fs[i]
		f.ID, f.Text, f.Capability, f.Priority = r.string(), r.string(), r.string(), r.string()
		if k := r.optCount(); k >= 0 && r.err == nil {
			f.Teams = make([]string, k)
			for j := range f.Teams {
				f.Teams[j] = r.string()
			}
		}
	}
	return fs
}
