package loadtest

import (
	"strings"
	"testing"
	"time"
)

// typicalFrame is a batch frame as a trainee receives most of them at
// 5,000 trainees: the team's status and three teammates' actions.
var typicalFrame = []byte(`{"type":"batch","messages":[` +
	`{"type":"status","status":{"status":"running","now":3600000000000,"speed":10,"teams":[{"id":"csirt-007","name":"CSIRT 7","mode":"human","score":42,"max_score":120,"met":3,"missed":1,"open":5,"online":83}],"storage":""}},` +
	strings.Repeat(`{"type":"event","seq":12345,"at":3600000000000,"event":{"seq":12345,"at":3600000000000,"type":"team.action","actor":"trainee:csirt-007:Trainee 0421","team":"csirt-007","audience":["csirt-007"],"data":{"inject":"adhoc-12","action":"report","text":"Load-test situation report.","command":{"type":"report","inject":"adhoc-12","text":"Load-test situation report.","by":{"role":"trainee","team":"csirt-007","name":"Trainee 0421"}}}}},`, 2) +
	`{"type":"event","seq":12347,"at":3600000000000,"event":{"seq":12347,"at":3600000000000,"type":"team.action","actor":"trainee:csirt-007:Trainee 0433","team":"csirt-007","audience":["csirt-007"],"data":{"inject":"adhoc-12","action":"acknowledge","command":{"type":"acknowledge","inject":"adhoc-12","by":{"role":"trainee","team":"csirt-007","name":"Trainee 0433"}}}}}` +
	`]}`)

// BenchmarkHandleFrame measures what the tool spends on one received
// frame once it is read: splitting the batch and accounting for each
// message. It is the tool's own share of the CPU it shares with the
// server on one machine.
func BenchmarkHandleFrame(b *testing.B) {
	r := &run{}
	c := newWSClient(r, &target{}, &participant{team: "csirt-007"}, true)
	now := time.Now()
	b.SetBytes(int64(len(typicalFrame)))
	for b.Loop() {
		if err := eachMessage(typicalFrame, func(m []byte) { c.handle(m, now) }); err != nil {
			b.Fatal(err)
		}
	}
	if got := r.n.events.Load(); got == 0 || r.n.statuses.Load() == 0 || r.n.malformed.Load() != 0 {
		b.Fatalf("events %d, statuses %d, malformed %d: the frame was not read as meant", got, r.n.statuses.Load(), r.n.malformed.Load())
	}
}
