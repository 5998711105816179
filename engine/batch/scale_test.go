package batch_test

import (
	"context"
	"runtime"
	"testing"

	"cmesim/engine/batch"
	"cmesim/internal/scengen"
)

// maxRunGrowth is how much the cost per run may grow from a batch to one
// ten times as long before TestScalingBatch fails: memory flat in the
// number of runs keeps it near 1.
const maxRunGrowth = 1.25

// batchCost runs n replications and returns the bytes and objects
// allocated per run, and the heap still in use once it returned.
func batchCost(t *testing.T, n int) (bytesPerRun, objectsPerRun float64, retained uint64) {
	t.Helper()
	s, err := scengen.Scenario(scengen.Spec{Teams: 8, Injects: 40, GroupSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := batch.Run(context.Background(), s, batch.Options{Runs: n, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	bytesPerRun = float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
	objectsPerRun = float64(after.Mallocs-before.Mallocs) / float64(n)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if after.HeapAlloc > before.HeapAlloc {
		retained = after.HeapAlloc - before.HeapAlloc
	}
	return bytesPerRun, objectsPerRun, retained
}

// TestScalingBatch guards Monte Carlo's memory: what a batch allocates per
// run, and what it keeps, must not grow with the number of runs (results
// are folded into histograms as they arrive; each worker reuses its log).
// Allocations, not times, so that a loaded machine does not matter.
func TestScalingBatch(t *testing.T) {
	smallBytes, smallObjects, smallKept := batchCost(t, 20)
	largeBytes, largeObjects, largeKept := batchCost(t, 200)
	t.Logf("per run: %.0f → %.0f bytes, %.0f → %.0f objects; kept after the batch: %d → %d bytes",
		smallBytes, largeBytes, smallObjects, largeObjects, smallKept, largeKept)
	if largeBytes > maxRunGrowth*smallBytes {
		t.Errorf("bytes per run grew ×%.2f from 20 to 200 runs, more than ×%.2f", largeBytes/smallBytes, maxRunGrowth)
	}
	if largeObjects > maxRunGrowth*smallObjects {
		t.Errorf("objects per run grew ×%.2f from 20 to 200 runs, more than ×%.2f", largeObjects/smallObjects, maxRunGrowth)
	}
	// What a batch keeps is its result, the same size for any number of
	// runs; a few runs' worth of slack covers the collector's timing.
	if slack := uint64(4 * smallBytes); largeKept > smallKept+slack {
		t.Errorf("kept %d bytes after 200 runs, %d after 20: memory grows with the number of runs", largeKept, smallKept)
	}
}
