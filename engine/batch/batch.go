// Package batch runs a scenario many times with different seeds, every team
// simulated, and summarises the spread of outcomes: how a facilitator
// calibrates a scenario's difficulty before the day. Replications run in
// parallel, one exercise per goroutine; results are folded into fixed-size
// histograms as they arrive, so memory does not grow with the run count.
package batch

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// Options configure a batch.
type Options struct {
	// Runs is how many replications to run.
	Runs int
	// Workers is how many run in parallel; 0 means one per CPU.
	Workers int
	// FirstSeed is the seed of the first run; run i uses FirstSeed+i.
	FirstSeed uint64
	// Progress, when set, is called from the collecting goroutine after
	// each finished run with the number done so far.
	Progress func(done int)
}

// Metric names a per-team quantity measured in each run.
type Metric string

// The metrics measured per team and run. Times are medians over the run's
// expectations of that action that were met, from delivery to answer.
const (
	MetricScore           Metric = "score"
	MetricScorePercent    Metric = "score_percent"
	MetricTimeAcknowledge Metric = "time_to_acknowledge"
	MetricTimeClassify    Metric = "time_to_classify"
	MetricTimeContain     Metric = "time_to_contain"
	MetricTimeEscalate    Metric = "time_to_escalate"
	MetricTimeShare       Metric = "time_to_share"
)

// timeMetrics maps the timed metrics to their actions.
var timeMetrics = []struct {
	metric Metric
	action scenarios.Action
}{
	{MetricTimeAcknowledge, scenarios.ActionAcknowledge},
	{MetricTimeClassify, scenarios.ActionClassify},
	{MetricTimeContain, scenarios.ActionContain},
	{MetricTimeEscalate, scenarios.ActionEscalate},
	{MetricTimeShare, scenarios.ActionShare},
}

// Run plays the scenario opts.Runs times and returns the summary. It stops
// early, returning ctx's error, when ctx is cancelled.
func Run(ctx context.Context, s *scenarios.Scenario, opts Options) (*Result, error) {
	if opts.Runs <= 0 {
		return nil, errors.New("batch: the number of runs must be positive")
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, opts.Runs)
	acc := newAccumulator(s)
	seeds := make(chan uint64)
	results := make(chan *runResult, workers)
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := range seeds {
				r, err := runOnce(s, seed)
				if err != nil {
					errc <- err
					return
				}
				results <- r
			}
		}()
	}
	go func() {
		defer close(seeds)
		for i := range opts.Runs {
			select {
			case seeds <- opts.FirstSeed + uint64(i):
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	done := 0
	for r := range results {
		acc.add(r)
		done++
		if opts.Progress != nil {
			opts.Progress(done)
		}
	}
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return acc.result(opts), nil
}

// runResult is what one replication contributes.
type runResult struct {
	teams      []teamRun
	objectives []objectiveRun
}

type teamRun struct {
	score, max float64
	times      map[Metric]time.Duration // absent: no such answer in this run
}

type objectiveRun struct{ earned, available float64 }

// runOnce plays one replication and measures it.
func runOnce(s *scenarios.Scenario, seed uint64) (*runResult, error) {
	x, err := engine.New(s, engine.Options{Seed: seed})
	if err != nil {
		return nil, err
	}
	if err := x.RunToEnd(); err != nil {
		return nil, err
	}
	return measure(s, x.State()), nil
}

// measure reads a finished exercise's state.
func measure(s *scenarios.Scenario, st *engine.State) *runResult {
	r := &runResult{teams: make([]teamRun, len(s.Teams)), objectives: make([]objectiveRun, len(s.Exercise.Objectives))}
	latencies := make([]map[scenarios.Action][]time.Duration, len(s.Teams))
	for i := range latencies {
		latencies[i] = map[scenarios.Action][]time.Duration{}
	}
	for i := range st.Expectations {
		e := &st.Expectations[i]
		ti := s.TeamIndex(e.Team)
		if ti < 0 {
			continue
		}
		r.teams[ti].max += float64(e.MaxPoints)
		r.teams[ti].score += e.Points
		if e.Met {
			latencies[ti][e.Action] = append(latencies[ti][e.Action], e.MetAt-e.Opened)
		}
		if _, exp, ok := s.Expectation(e.Inject + "." + e.Expectation); ok {
			for oi, o := range s.Exercise.Objectives {
				if o.ID == exp.Objective {
					r.objectives[oi].available += float64(e.MaxPoints)
					r.objectives[oi].earned += e.Points
				}
			}
		}
	}
	for ti := range r.teams {
		r.teams[ti].times = map[Metric]time.Duration{}
		for _, tm := range timeMetrics {
			if ls := latencies[ti][tm.action]; len(ls) > 0 {
				slices.Sort(ls)
				r.teams[ti].times[tm.metric] = ls[len(ls)/2]
			}
		}
	}
	return r
}
