package web

import (
	"slices"
	"sync"

	"cmesim/engine"
)

// exerciseSet is the exercises a server knows: those it runs or follows,
// in creation order, the join codes that admit to them, and the stored ones
// it could not restore. It is safe for concurrent use.
type exerciseSet struct {
	metrics *metrics // counts the exercises added

	mu        sync.RWMutex
	exercises map[string]*liveExercise
	order     []string                // exercise ids in creation order
	codes     map[string]codeEntry    // normalised code → who it admits
	damaged   map[string]ExerciseInfo // stored exercises that cannot be restored
}

// codeEntry is who a join code admits.
type codeEntry struct {
	exercise string
	role     engine.Role
	team     string
}

func newExerciseSet(m *metrics) *exerciseSet {
	return &exerciseSet{metrics: m, exercises: map[string]*liveExercise{}, codes: map[string]codeEntry{}}
}

// get returns the live copy of an exercise.
func (es *exerciseSet) get(id string) (*liveExercise, bool) {
	es.mu.RLock()
	defer es.mu.RUnlock()
	le, ok := es.exercises[id]
	return le, ok
}

// register makes an exercise and its codes known, or replaces the live
// copy of one already known.
func (es *exerciseSet) register(le *liveExercise) {
	es.mu.Lock()
	defer es.mu.Unlock()
	if _, known := es.exercises[le.id]; known {
		es.exercises[le.id] = le
		return
	}
	es.exercises[le.id] = le
	es.order = append(es.order, le.id)
	for key, entry := range le.codes.entries(le.id) {
		es.codes[key] = entry
	}
	es.metrics.exercises.Add(1)
}

// all returns the live exercises, in no particular order.
func (es *exerciseSet) all() []*liveExercise {
	es.mu.RLock()
	defer es.mu.RUnlock()
	out := make([]*liveExercise, 0, len(es.exercises))
	for _, le := range es.exercises {
		out = append(out, le)
	}
	return out
}

// ids returns the ids of the exercises known, live and damaged, in
// creation order.
func (es *exerciseSet) ids() []string {
	es.mu.RLock()
	defer es.mu.RUnlock()
	return slices.Clone(es.order)
}

// codeEntry looks a join code up among the exercises known.
func (es *exerciseSet) codeEntry(code string) (codeEntry, bool) {
	key := normalizeCode(code)
	if key == "" {
		return codeEntry{}, false // cannot be a code
	}
	es.mu.RLock()
	defer es.mu.RUnlock()
	entry, ok := es.codes[key]
	return entry, ok
}

// markDamaged lists a stored exercise that cannot be restored.
func (es *exerciseSet) markDamaged(info ExerciseInfo) {
	es.mu.Lock()
	defer es.mu.Unlock()
	if es.damaged == nil {
		es.damaged = map[string]ExerciseInfo{}
	}
	if _, known := es.damaged[info.ID]; !known && !slices.Contains(es.order, info.ID) {
		es.order = append(es.order, info.ID)
	}
	es.damaged[info.ID] = info
}

// damagedInfo returns how a damaged exercise is listed.
func (es *exerciseSet) damagedInfo(id string) (ExerciseInfo, bool) {
	es.mu.RLock()
	defer es.mu.RUnlock()
	info, ok := es.damaged[id]
	return info, ok
}
