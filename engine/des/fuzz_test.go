package des_test

import (
	"testing"
	"time"

	"cmesim/engine/des"
)

// FuzzKernel interprets the input as a sequence of (opcode, argument) byte
// pairs driving Schedule, Cancel, Step, Peek and RunUntil, and checks the
// kernel against the reference model after every operation.
func FuzzKernel(f *testing.F) {
	f.Add([]byte{0, 10, 0, 5, 1, 200, 3, 0, 2, 0, 3, 0, 4, 15, 3, 0})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 2, 1, 3, 0, 3, 0, 3, 0})
	f.Add([]byte{1, 63, 1, 64, 1, 128, 1, 192, 4, 255, 0, 9, 2, 7, 5, 0})
	f.Add([]byte{0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 2, 0, 2, 2, 2, 4, 4, 3})

	f.Fuzz(func(t *testing.T, data []byte) {
		k := des.New[int]()
		var m refModel
		var ids []des.EventID
		cancelled := make(map[des.EventID]bool)
		next := 0
		lastAt := time.Duration(-1)

		schedule := func(at time.Duration, prio int32) {
			next++
			id := k.Schedule(at, prio, next)
			if id == 0 {
				t.Fatalf("Schedule returned the zero ID")
			}
			for _, old := range ids {
				if old == id {
					t.Fatalf("ID %d reused", id)
				}
			}
			ids = append(ids, id)
			m.schedule(id, at, prio, next)
		}
		fired := func(got des.Event[int]) {
			if cancelled[got.ID] {
				t.Fatalf("cancelled event %d fired", got.ID)
			}
			if got.At < lastAt {
				t.Fatalf("event at %v fired after event at %v", got.At, lastAt)
			}
			lastAt = got.At
			want, ok := m.step()
			if !ok {
				t.Fatalf("unexpected event %+v", got)
			}
			checkEvent(t, got, want)
		}

		for i := 0; i+1 < len(data); i += 2 {
			op, arg := data[i], data[i+1]
			switch op % 6 {
			case 0, 1:
				schedule(k.Now()+time.Duration(int(arg&0x3f)-8), int32(arg>>6))
			case 2:
				id := des.EventID(arg)
				if len(ids) > 0 {
					id = ids[int(arg)%len(ids)]
				}
				got, want := k.Cancel(id), m.cancel(id)
				if got != want {
					t.Fatalf("Cancel(%d)=%v, want %v", id, got, want)
				}
				if got {
					cancelled[id] = true
				}
			case 3:
				if ev, ok := k.Step(); ok {
					fired(ev)
				} else if len(m.live) != 0 {
					t.Fatalf("Step found nothing, reference has %d", len(m.live))
				}
			case 4:
				until := k.Now() + time.Duration(arg%32)
				k.RunUntil(until, func(ev des.Event[int]) {
					fired(ev)
					switch ev.Payload % 4 {
					case 0: // handlers may schedule, even at the current time
						schedule(k.Now()+time.Duration(ev.Payload%5), int32(ev.Payload%3))
					case 1: // and cancel
						id := ids[ev.Payload%len(ids)]
						got, want := k.Cancel(id), m.cancel(id)
						if got != want {
							t.Fatalf("Cancel(%d) in handler=%v, want %v", id, got, want)
						}
						if got {
							cancelled[id] = true
						}
					}
				})
				m.now = max(m.now, until)
			case 5:
				got, gok := k.Peek()
				want, wok := m.peek()
				if gok != wok {
					t.Fatalf("Peek ok=%v, want %v", gok, wok)
				}
				if gok {
					checkEvent(t, got, want)
				}
			}
			if got, want := k.Pending(), len(m.live); got != want {
				t.Fatalf("Pending()=%d, want %d", got, want)
			}
			if got, want := k.Now(), m.now; got != want {
				t.Fatalf("Now()=%v, want %v", got, want)
			}
		}
		k.Run(fired)
		if got, want := len(m.live), 0; got != want {
			t.Fatalf("reference has %d undispatched events", got)
		}
	})
}
