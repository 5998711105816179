package des_test

import (
	"fmt"
	"time"

	"cmesim/engine/des"
)

func Example() {
	type msg struct{ text string }
	k := des.New[msg]()
	k.Schedule(2*time.Minute, 0, msg{"phishing mail opened"})
	timeout := k.Schedule(30*time.Minute, 0, msg{"escalation timeout"})
	k.Schedule(2*time.Minute, -1, msg{"SOC alert"}) // same time, fires first

	k.RunUntil(time.Hour, func(ev des.Event[msg]) {
		fmt.Printf("T+%v %s\n", ev.At, ev.Payload.text)
		if ev.Payload.text == "phishing mail opened" {
			k.Cancel(timeout)
			k.ScheduleIn(5*time.Minute, 0, msg{"host isolated"})
		}
	})
	fmt.Println("now", k.Now(), "pending", k.Pending())
	// Output:
	// T+2m0s SOC alert
	// T+2m0s phishing mail opened
	// T+7m0s host isolated
	// now 1h0m0s pending 0
}

func ExampleStream_Split() {
	root := des.NewStream(42)
	red := root.Split("team/red")
	root.Uint64() // draws from the root do not affect children
	again := des.NewStream(42).Split("team/red")
	fmt.Println(red.Uint64() == again.Uint64())
	// Output: true
}
