// Package batch runs a scenario many times with different seeds, every team
// simulated, and summarises the spread of outcomes as a baseline (package
// baseline): how a facilitator calibrates a scenario's difficulty before
// the day. Replications run in parallel, one exercise per goroutine;
// results are folded into fixed-size histograms as they arrive, so memory
// does not grow with the run count.
package batch

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"time"

	"cmesim/baseline"
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
	// Choose makes every simulated team take the named choice of a
	// decision (decision id → choice id; see engine.Options.Choose).
	Choose map[string]string
}

// timeMetrics maps the timed metrics to their actions.
var timeMetrics = []struct {
	metric baseline.Metric
	action scenarios.Action
}{
	{baseline.MetricTimeAcknowledge, scenarios.ActionAcknowledge},
	{baseline.MetricTimeClassify, scenarios.ActionClassify},
	{baseline.MetricTimeContain, scenarios.ActionContain},
	{baseline.MetricTimeEscalate, scenarios.ActionEscalate},
	{baseline.MetricTimeShare, scenarios.ActionShare},
}

// Run plays the scenario opts.Runs times and returns the summary: the
// baseline an after-action report compares real teams against (see package
// baseline for what each number means). It stops early, returning ctx's
// error, when ctx is cancelled.
func Run(ctx context.Context, s *scenarios.Scenario, opts Options) (*baseline.Baseline, error) {
	b, _, err := RunWithChoices(ctx, s, opts)
	return b, err
}

// result is one replication's measures.
type result struct {
	run     baseline.Run
	choices []choiceSample
}

// RunWithChoices is Run that also sums up the choices taken at the
// scenario's decision points and what each led to.
func RunWithChoices(ctx context.Context, s *scenarios.Scenario, opts Options) (*baseline.Baseline, *Choices, error) {
	if opts.Runs <= 0 {
		return nil, nil, errors.New("batch: the number of runs must be positive")
	}
	if err := checkChoose(s, opts.Choose); err != nil {
		return nil, nil, err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, opts.Runs)
	acc := baseline.NewCollector(s, opts.FirstSeed, false)
	picks := newChoiceCollector(s)
	seeds := make(chan uint64)
	results := make(chan result, workers)
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var log []engine.Event // reused from run to run
			for seed := range seeds {
				var r result
				var err error
				r, log, err = runOnce(s, seed, opts.Choose, log)
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
		acc.Add(r.run)
		picks.add(r.choices)
		done++
		if opts.Progress != nil {
			opts.Progress(done)
		}
	}
	select {
	case err := <-errc:
		return nil, nil, err
	default:
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return acc.Baseline(), picks.result(), nil
}

// runOnce plays one replication and measures it. It logs into the storage
// of log, the previous run's log, and returns this run's for the next.
func runOnce(s *scenarios.Scenario, seed uint64, choose map[string]string, log []engine.Event) (result, []engine.Event, error) {
	x, err := engine.New(s, engine.Options{Seed: seed, LogBuffer: log, Choose: choose})
	if err != nil {
		return result{}, log, err
	}
	if err := x.RunToEnd(); err != nil {
		return result{}, log, err
	}
	r := result{run: measure(s, x.State()), choices: sampleChoices(s, x.State(), s.Decisions())}
	return r, x.Events(), nil
}

// objectivePoints are an objective's points in one run, over all teams.
type objectivePoints struct{ earned, available float64 }

// measure reads a finished exercise's state: each team's metrics and each
// objective's rating, as package baseline defines them.
func measure(s *scenarios.Scenario, st *engine.State) baseline.Run {
	score := make([]float64, len(s.Teams))
	maxScore := make([]float64, len(s.Teams))
	objectives := make([]objectivePoints, len(s.Exercise.Objectives))
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
		maxScore[ti] += float64(e.MaxPoints)
		score[ti] += e.Points
		if e.Met {
			latencies[ti][e.Action] = append(latencies[ti][e.Action], e.MetAt-e.Opened)
		}
		if _, exp, ok := s.Expectation(e.Inject + "." + e.Expectation); ok {
			for oi, o := range s.Exercise.Objectives {
				if o.ID == exp.Objective {
					objectives[oi].available += float64(e.MaxPoints)
					objectives[oi].earned += e.Points
				}
			}
		}
	}
	r := baseline.Run{Metrics: make([]map[baseline.Metric]float64, len(s.Teams)), Ratings: make([]string, len(objectives))}
	for ti := range s.Teams {
		m := map[baseline.Metric]float64{baseline.MetricScore: score[ti]}
		if maxScore[ti] > 0 {
			m[baseline.MetricScorePercent] = 100 * score[ti] / maxScore[ti]
		}
		for _, tm := range timeMetrics {
			if ls := latencies[ti][tm.action]; len(ls) > 0 {
				slices.Sort(ls)
				m[tm.metric] = ls[len(ls)/2].Seconds() // the upper middle for an even count
			}
		}
		r.Metrics[ti] = m
	}
	for oi := range objectives {
		o := &s.Exercise.Objectives[oi]
		r.Ratings[oi] = baseline.Rate(objectives[oi].earned, objectives[oi].available, s.RatingFor(o))
	}
	return r
}
