// Package des is a generic discrete-event simulation kernel.
//
// A [Kernel] is a priority queue of future events over virtual time plus a
// clock. Virtual time is a [time.Duration] measured from T+0; the kernel never
// reads the wall clock, performs no I/O, keeps no global state and knows
// nothing about the domain it simulates. Event payloads are a type parameter
// and are stored by value, so scheduling and dispatching events does not
// allocate once the internal slices have grown to the working-set size.
//
// # Ordering
//
// Events are dispatched in a total, stable order:
//
//  1. At ascending (earlier virtual time first),
//  2. Priority ascending (a smaller number fires first at equal times),
//  3. insertion order ascending (two events with the same time and priority
//     fire in the order in which they were scheduled).
//
// The clock never moves backwards. Scheduling an event at a time earlier than
// [Kernel.Now] clamps the event to Now, so it fires before any later event but
// after events already pending at Now with a smaller or equal priority that
// were scheduled before it.
//
// # Cancellation
//
// Every scheduled event gets an [EventID] that is unique for the lifetime of
// the kernel and never reused; zero is never a valid ID. [Kernel.Cancel]
// removes a pending event from the queue immediately (O(log n)), so
// [Kernel.Pending] always counts live events only. Cancelling an event that
// has already been dispatched (including the event currently being handled),
// was already cancelled, or is unknown, returns false and has no effect.
// Handlers may call Schedule and Cancel freely while the kernel is running.
//
// # Determinism
//
// Given the same sequence of calls, a Kernel produces exactly the same
// sequence of events with the same IDs: there is no dependence on map
// iteration order, goroutine scheduling, addresses or the wall clock.
// Randomness is provided by [Stream], a seeded generator whose child streams
// ([Stream.Split]) depend only on the parent's seed and a label, never on how
// many values have been drawn from the parent. Neither Kernel nor Stream is
// safe for concurrent use; a simulation run is expected to own its kernel and
// streams.
package des
