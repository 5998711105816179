package web

import (
	"testing"
	"time"

	"cmesim/scenarios"
)

// TestDescribeTrigger: what the MSEL says releases an inject without a
// time, for every kind of trigger.
func TestDescribeTrigger(t *testing.T) {
	at := scenarios.Duration(10 * time.Minute)
	for _, tc := range []struct {
		name string
		in   scenarios.Inject
		want *triggerView
	}{
		{"timed", scenarios.Inject{At: &at}, nil},
		{"consequence", scenarios.Inject{}, &triggerView{Kind: "consequence"}},
		{"after", scenarios.Inject{Trigger: &scenarios.Trigger{After: "I01", Delay: scenarios.Duration(20 * time.Minute)}}, &triggerView{Kind: "after", Inject: "I01", Delay: 20 * time.Minute}},
		{"action", scenarios.Inject{Trigger: &scenarios.Trigger{OnAction: &scenarios.ActionMatch{Team: "group:andean", Action: "share", Inject: "I02"}}}, &triggerView{Kind: "action", Team: "group:andean", Action: "share", Inject: "I02"}},
		{"miss", scenarios.Inject{Trigger: &scenarios.Trigger{OnMiss: "I01.share"}}, &triggerView{Kind: "miss", Expectation: "I01.share"}},
		{"choice", scenarios.Inject{Trigger: &scenarios.Trigger{OnChoice: "D1.escalate", Delay: scenarios.Duration(time.Minute)}}, &triggerView{Kind: "choice", Choice: "D1.escalate", Delay: time.Minute}},
		{"facilitator", scenarios.Inject{Trigger: &scenarios.Trigger{Release: "facilitator"}}, &triggerView{Kind: "facilitator"}},
	} {
		got := describeTrigger(tc.in)
		if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
