// Package engine runs a crisis-management exercise: it delivers a scenario's
// injects on a virtual clock, opens and closes the expectations they carry,
// validates the commands of facilitators, trainees, evaluators and simulated
// CSIRTs, fires the consequences of missed deadlines, moves incidents through
// their phases, and writes everything that happens as events in one
// append-only log.
//
// State is a fold of that log (see State and Replay). An Exercise is
// deterministic: the same scenario, seed and command log produce a
// byte-identical event log, so a live exercise can be rebuilt, replayed and
// scored after the fact. An Exercise is not safe for concurrent use: one
// goroutine owns it (see Runner for live, paced play).
package engine
