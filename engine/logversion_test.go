package engine_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"cmesim/engine"
)

// withoutReasonCodes returns a deep enough copy of log with the reason
// codes and arguments removed, as a cmesim from before them wrote it, and
// how many events had one.
func withoutReasonCodes(log []engine.Event) ([]engine.Event, int) {
	out := make([]engine.Event, len(log))
	copy(out, log)
	n := 0
	for i := range out {
		if out[i].Data.ReasonCode != "" {
			out[i].Data.ReasonCode, out[i].Data.ReasonArgs = "", nil
			n++
		}
	}
	return out, n
}

// TestRerunLogOlderVersion replays a log of version 1, whose events lack
// the reason codes added since: the current version's byte-for-byte check
// refuses it, RerunLog with version 1 accepts it and keeps the events as
// stored, and a difference in a field version 1 did record is still caught.
func TestRerunLogOlderVersion(t *testing.T) {
	x := played(t)
	old, stripped := withoutReasonCodes(x.Events())
	if stripped == 0 {
		t.Fatal("the played log has no event with a reason code to test with")
	}
	if _, err := engine.Rerun(x.Scenario(), old, nil); err == nil {
		t.Fatal("Rerun accepted a log without reason codes as the current version")
	}
	y, err := engine.RerunLog(x.Scenario(), old, 1, nil)
	if err != nil {
		t.Fatalf("RerunLog of a version 1 log: %v", err)
	}
	got, _ := engine.MarshalLog(y.Events()[:len(old)])
	want, _ := engine.MarshalLog(old)
	if !bytes.Equal(got, want) {
		t.Fatalf("the rebuilt exercise does not hold the log as stored:\n got %s\nwant %s", got, want)
	}
	if _, err := engine.RerunLog(x.Scenario(), x.Events(), 1, nil); err != nil {
		t.Fatalf("RerunLog of a version 1 log that has the later fields: %v", err)
	}

	for i := range old {
		if old[i].Type == engine.EventExpectationMissed {
			changed := append([]engine.Event(nil), old...)
			changed[i].Data.MaxPoints++
			if _, err := engine.RerunLog(x.Scenario(), changed, 1, nil); err == nil || !strings.Contains(err.Error(), "diverges") {
				t.Fatalf("RerunLog of a version 1 log with a changed max_points: err = %v, want a divergence", err)
			}
			return
		}
	}
	t.Fatal("the played log has no miss to change")
}

// TestRerunLogNewerVersion checks that a log of a newer version, or of
// no valid one, is refused with a coded error before anything is replayed.
func TestRerunLogNewerVersion(t *testing.T) {
	x := played(t)
	_, err := engine.RerunLog(x.Scenario(), x.Events(), engine.LogVersion+1, nil)
	if !errors.Is(err, engine.ErrNewerLog) || engine.Code(err) != engine.CodeConflict || !strings.Contains(err.Error(), "newer version of cmesim") {
		t.Fatalf("RerunLog of a newer log: err = %v (code %s), want ErrNewerLog, conflict", err, engine.Code(err))
	}
	if _, err := engine.RerunLog(x.Scenario(), x.Events(), 0, nil); engine.Code(err) != engine.CodeInvalid {
		t.Fatalf("RerunLog of version 0: err = %v, want invalid", err)
	}
	if _, err := engine.RerunLog(x.Scenario(), x.Events(), engine.LogVersion, nil); err != nil {
		t.Fatalf("RerunLog of the current version: %v", err)
	}
}

// TestFollowOlderVersion rebuilds an exercise from the first part of a
// version 1 log and follows the rest, as a server follows an owner that
// writes version 1 events during an upgrade: the events are accepted and
// kept as written.
func TestFollowOlderVersion(t *testing.T) {
	x := played(t)
	old, _ := withoutReasonCodes(x.Events())
	cut := len(old) / 2
	y, err := engine.RerunLog(x.Scenario(), old[:cut], 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := y.Follow(old[cut:]); err != nil {
		t.Fatalf("following the rest of a version 1 log: %v", err)
	}
	got, _ := engine.MarshalLog(y.Events()[:len(old)])
	want, _ := engine.MarshalLog(old)
	if !bytes.Equal(got, want) {
		t.Fatalf("the followed exercise does not hold the log as written:\n got %s\nwant %s", got, want)
	}
	z, err := engine.Rerun(x.Scenario(), x.Events()[:cut], nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := z.Follow(old[cut:]); err == nil {
		t.Fatal("an exercise of the current version followed events without their reason codes")
	}
}
