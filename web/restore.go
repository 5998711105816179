package web

import (
	"context"
	"fmt"

	"cmesim/engine"
	"cmesim/scenarios"
	"cmesim/store"
)

// checkLogVersion refuses a stored exercise whose log a newer cmesim has
// written: this server could not reproduce its events and must not write
// older ones after them, so it leaves the exercise untouched (listed as
// damaged, with why) for an up-to-date server.
func checkLogVersion(meta *store.Exercise) error {
	_, last := meta.LogVersions()
	return engine.CheckLogVersion(last)
}

// replayStored rebuilds an exercise from its stored log, comparing the
// replay with the events as the version of cmesim that wrote the oldest of
// them recorded them (engine.RerunLog).
func replayStored(meta *store.Exercise, scn *scenarios.Scenario, events []engine.Event) (*engine.Exercise, error) {
	first, _ := meta.LogVersions()
	return engine.RerunLog(scn, events, first, nil)
}

// replayOwned is replayStored for an exercise this server is about to run:
// once the replay matches, it records in the store that the log goes on
// with this server's log version, so that an older cmesim refuses it
// rather than misreads the events written from now on. The events already
// stored stay as they were written.
func (s *Server) replayOwned(ctx context.Context, meta *store.Exercise, scn *scenarios.Scenario, events []engine.Event) (*engine.Exercise, error) {
	x, err := replayStored(meta, scn, events)
	if err != nil {
		return nil, err
	}
	if _, last := meta.LogVersions(); last >= engine.LogVersion {
		return x, nil
	}
	if lv, ok := s.cfg.Store.(store.LogVersioner); ok {
		if err := lv.RaiseLogVersion(ctx, meta.ID, engine.LogVersion); err != nil {
			return nil, fmt.Errorf("recording that this server continues the log: %w", err)
		}
	}
	s.log.Info().Str("exercise", meta.ID).Int("from", meta.LogVersion).Int("to", engine.LogVersion).Msg("the exercise's log was written by an older cmesim; its events stay as written and new ones follow the current log version")
	meta.LogVersion = engine.LogVersion
	return x, nil
}
