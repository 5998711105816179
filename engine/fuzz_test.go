package engine_test

import (
	"reflect"
	"testing"
	"time"

	"cmesim/engine"
)

// FuzzCommands drives an exercise with commands built from fuzz bytes: any
// role, team, inject, peers, TLP, text and time. The engine must never
// panic; a rejected command must append nothing and carry an *Error with a
// code; and the state folded from the log must equal the live state.
func FuzzCommands(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte("start, then acknowledge and share at the wrong TLP"))
	f.Add([]byte{0, 0, 0, 9, 9, 9, 3, 3, 3, 200, 201, 202, 17, 18, 19, 20, 21})
	s := MustLoad(f, exampleFile)
	types := []engine.CommandType{
		engine.CmdStart, engine.CmdPause, engine.CmdResume, engine.CmdSetSpeed, engine.CmdReleaseInject,
		engine.CmdSkipInject, engine.CmdDelayInject, engine.CmdSendInject, engine.CmdSetMode, engine.CmdSetPhase,
		engine.CmdEnd, engine.CmdAcknowledge, engine.CmdClassify, engine.CmdContain, engine.CmdEscalate,
		engine.CmdShare, engine.CmdRequestInfo, engine.CmdPublish, engine.CmdReport, engine.CmdNote, "bogus",
	}
	roles := []engine.Role{engine.RoleFacilitator, engine.RoleTrainee, engine.RoleEvaluator, engine.RoleObserver, engine.RoleSimulated, "", "root"}
	teams := []string{"co-csirt", "pe-csirt", "", "xx", "group:andean", "all"}
	injects := []string{"I01", "I02", "I03", "", "I99", "to-peru", "adhoc-1"}
	tlps := []string{"clear", "green", "amber", "amber+strict", "red", "", "TLP:RED", "purple"}
	words := []string{"", "phishing", "high", "mintic", "minfin-co", "<script>alert(1)</script>", "detected", "contained", "INC1", "O1"}
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := engine.New(s, engine.Options{Seed: 1, Humans: []string{"co-csirt"}})
		if err != nil {
			t.Fatal(err)
		}
		pick := func(i int) int {
			if i < len(data) {
				return int(data[i])
			}
			return 0
		}
		at := time.Duration(0)
		for i := 0; i+8 <= len(data); i += 8 {
			at += time.Duration(pick(i)) * time.Minute / 4
			c := engine.Command{
				Type:     types[pick(i+1)%len(types)],
				By:       engine.Principal{Role: roles[pick(i+2)%len(roles)], Team: teams[pick(i+3)%len(teams)], Name: "fuzz"},
				Inject:   injects[pick(i+4)%len(injects)],
				Team:     teams[pick(i+5)%len(teams)],
				TLP:      tlps[pick(i+6)%len(tlps)],
				Category: words[pick(i+7)%len(words)],
				Severity: words[pick(i+6)%len(words)],
				Target:   words[pick(i+5)%len(words)],
				Text:     words[pick(i+4)%len(words)],
				Peers:    []string{teams[pick(i+7)%len(teams)]},
				Speed:    float64(pick(i+3)) - 10,
				Delay:    time.Duration(pick(i+2)-100) * time.Minute,
				Mode:     engine.Mode(words[pick(i+1)%len(words)]),
				Phase:    engine.Phase(words[pick(i+2)%len(words)]),
				Incident: words[pick(i+3)%len(words)],
			}
			if c.Type == engine.CmdSendInject && pick(i+5)%2 == 0 {
				c.AdHoc = &engine.AdHocInject{Title: c.Text, Body: c.Category, Channel: "email", To: []string{c.Team}}
			}
			x.AdvanceTo(at)
			before := len(x.Events())
			evs, err := x.Apply(c)
			if err != nil {
				if engine.Code(err) == "" || engine.Code(err) == engine.CodeInternal {
					t.Fatalf("rejection without a code: %v", err)
				}
				if got := len(x.Events()); got != before || evs != nil {
					t.Fatalf("rejected %s appended %d events", c.Type, got-before)
				}
			}
		}
		x.AdvanceTo(at + time.Hour)
		st, err := engine.Fold(s, x.Events())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(st, x.State()) {
			t.Fatal("the folded state differs from the live state")
		}
	})
}
