package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"cmesim/engine"
	"cmesim/store"
	"cmesim/store/sqlite"
)

// A server creates the exercise, then appends the events each command
// produces and acknowledges the command only once Append has returned; on
// start it lists the exercises and reads their logs back.
func Example() {
	dir, _ := os.MkdirTemp("", "cmesim")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	db, err := sqlite.Open(filepath.Join(dir, "cmesim.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := db.CreateExercise(ctx, &store.Exercise{ID: "ex1", Scenario: "example", Seed: 42}); err != nil {
		fmt.Println(err)
		return
	}
	log := []engine.Event{
		{Seq: 1, Type: engine.EventCreated, Actor: "system", Data: engine.Details{CreationFields: &engine.CreationFields{Seed: 42}}},
		{Seq: 2, Type: engine.EventStarted, Actor: "facilitator:Maria", Audience: []string{engine.Everyone}},
	}
	if err := db.Append(ctx, "ex1", log); err != nil {
		fmt.Println(err)
		return
	}
	// The same events again: they do not continue the log.
	err = db.Append(ctx, "ex1", log[1:])
	fmt.Println(errors.Is(err, store.ErrSequence))
	db.Close()

	// After a restart.
	db, err = sqlite.Open(filepath.Join(dir, "cmesim.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	exercises, _ := db.Exercises(ctx)
	for _, x := range exercises {
		events, _ := db.Events(ctx, x.ID, 0)
		fmt.Println(x.ID, x.Scenario, len(events), events[len(events)-1].Type)
	}
	// Output:
	// true
	// ex1 example 2 exercise.started
}
