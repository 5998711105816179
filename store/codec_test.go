package store_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/store"
)

// goldenLogs reads every golden event log of the engine's tests.
func goldenLogs(tb testing.TB) map[string][]engine.Event {
	tb.Helper()
	files, err := filepath.Glob("../testdata/golden/engine/*.jsonl")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no golden logs found: %v", err)
	}
	logs := map[string][]engine.Event{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var events []engine.Event
		sc := bufio.NewScanner(bytes.NewReader(src))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var e engine.Event
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				tb.Fatalf("%s: %v", f, err)
			}
			events = append(events, e)
		}
		if len(events) == 0 {
			tb.Fatalf("%s: empty log", f)
		}
		logs[filepath.Base(f)] = events
	}
	return logs
}

func roundTrip(t *testing.T, e *engine.Event) engine.Event {
	t.Helper()
	b := store.AppendEvent(nil, e)
	var got engine.Event
	rest, err := store.DecodeEvent(append(b, 0xAA), &got)
	if err != nil {
		t.Fatalf("decoding %+v: %v", e, err)
	}
	if !bytes.Equal(rest, []byte{0xAA}) {
		t.Fatalf("rest = %x, want aa", rest)
	}
	return got
}

// TestCodecGolden round-trips every event of every golden log, one by one
// and as one batch, and checks that the JSON form is unchanged too: the
// determinism checks of engine.Rerun compare JSON bytes.
func TestCodecGolden(t *testing.T) {
	for name, events := range goldenLogs(t) {
		t.Run(name, func(t *testing.T) {
			var blob []byte
			jsonSize := 0
			for i := range events {
				e := &events[i]
				if got := roundTrip(t, e); !reflect.DeepEqual(got, *e) {
					t.Fatalf("event %d:\n got %#v\nwant %#v", e.Seq, got, *e)
				}
				blob = store.AppendEvent(blob, e)
				j, _ := json.Marshal(e)
				jsonSize += len(j) + 1
			}
			got, err := store.DecodeEvents(nil, blob, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, events) {
				t.Fatal("the batch does not round-trip")
			}
			a, _ := engine.MarshalLog(got)
			b, _ := engine.MarshalLog(events)
			if !bytes.Equal(a, b) {
				t.Fatal("the JSON form changed")
			}
			// since skips a prefix, whatever its length.
			for _, since := range []uint64{1, 7, uint64(len(events) - 1), uint64(len(events)), uint64(len(events) + 5)} {
				got, err := store.DecodeEvents(nil, blob, since)
				if err != nil {
					t.Fatal(err)
				}
				want := events[min(int(since), len(events)):]
				if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
					t.Fatalf("since %d: got %d events, want %d", since, len(got), len(want))
				}
			}
			t.Logf("%d events: %d bytes binary, %d bytes JSON", len(events), len(blob), jsonSize)
		})
	}
}

// TestCodecEveryField fills every exported field of Event, reached through
// Details, Command, AdHocInject and the expectation types, with a non-zero
// value and checks the round trip: a field added to the engine without
// updating the codec fails here. Each field is also set alone (and each
// slice and map both empty and filled) to catch two fields sharing a presence bit.
func TestCodecEveryField(t *testing.T) {
	t.Run("All", func(t *testing.T) {
		var e engine.Event
		n := 0
		fill(reflect.ValueOf(&e).Elem(), &n)
		if got := roundTrip(t, &e); !reflect.DeepEqual(got, e) {
			t.Fatalf("round trip lost data:\n got %#v\nwant %#v", got, e)
		}
		t.Logf("filled %d values", n)
	})
	var paths [][]int
	leaves(reflect.TypeFor[engine.Event](), nil, &paths)
	if len(paths) < 50 {
		t.Fatalf("only %d leaf fields found", len(paths))
	}
	for _, p := range paths {
		for _, empty := range []bool{false, true} {
			var e engine.Event
			v, name := reach(reflect.ValueOf(&e).Elem(), p)
			if empty {
				switch v.Kind() {
				case reflect.Slice:
					v.Set(reflect.MakeSlice(v.Type(), 0, 0))
				case reflect.Map:
					v.Set(reflect.MakeMap(v.Type()))
				default:
					continue
				}
				name += "(empty)"
			} else {
				n := 0
				fill(v, &n)
			}
			t.Run(name, func(t *testing.T) {
				if got := roundTrip(t, &e); !reflect.DeepEqual(got, e) {
					t.Fatalf("round trip lost %s:\n got %#v\nwant %#v", name, got, e)
				}
			})
		}
	}
}

// fill sets every field reachable from v to a distinct non-zero value.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d-ñ", *n))
	case reflect.Int:
		v.SetInt(int64(*n))
	case reflect.Int64: // durations: negative, large, not whole seconds
		v.SetInt(-int64(*n)*1e12 - int64(*n))
	case reflect.Uint64:
		v.SetUint(1<<63 + uint64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.25)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fill(v.Index(0), n)
		fill(v.Index(1), n)
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, n)
			fill(e, n)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	default:
		panic(fmt.Sprintf("fill: %s has kind %s, unknown to the codec test: teach the codec and this test about it", v.Type(), v.Kind()))
	}
}

// leaves lists the index paths of every field reachable from t that is not
// a struct (pointers and slices count as leaves and as containers).
func leaves(t reflect.Type, prefix []int, out *[][]int) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		p := append(append([]int(nil), prefix...), i)
		ft := f.Type
		switch ft.Kind() {
		case reflect.Struct:
			leaves(ft, p, out)
			continue
		case reflect.Pointer, reflect.Slice:
			*out = append(*out, p)
			if ft.Elem().Kind() == reflect.Struct {
				leaves(ft.Elem(), append(p, -1), out)
			}
			continue
		}
		*out = append(*out, p)
	}
}

// reach follows path from v, allocating pointers and one-element slices on
// the way (-1 steps into a pointer or slice), and returns the field and its
// dotted name.
func reach(v reflect.Value, path []int) (reflect.Value, string) {
	var name []string
	for _, i := range path {
		if i == -1 {
			switch v.Kind() {
			case reflect.Pointer:
				v.Set(reflect.New(v.Type().Elem()))
				v = v.Elem()
			case reflect.Slice:
				v.Set(reflect.MakeSlice(v.Type(), 1, 1))
				v = v.Index(0)
				name = append(name, "[0]")
			}
			continue
		}
		name = append(name, v.Type().Field(i).Name)
		v = v.Field(i)
	}
	return v, strings.Join(name, ".")
}

// withoutEmptyGroups is e as the codec gives it back: a group of rarer
// fields with none of them set is stored, like JSON's omitempty, as none.
func withoutEmptyGroups(e engine.Event) engine.Event {
	d := &e.Data
	if d.IncidentFields != nil && *d.IncidentFields == (engine.IncidentFields{}) {
		d.IncidentFields = nil
	}
	if d.ControlFields != nil && *d.ControlFields == (engine.ControlFields{}) {
		d.ControlFields = nil
	}
	if d.CreationFields != nil && d.Seed == 0 && d.Humans == nil && d.Scenario == "" {
		d.CreationFields = nil
	}
	if d.MessageFields != nil && d.Kind == "" && d.Thread == 0 && d.ReplyTo == 0 && d.From == "" && d.Indicators == nil {
		d.MessageFields = nil
	}
	if d.JudgementFields != nil && *d.JudgementFields == (engine.JudgementFields{}) {
		d.JudgementFields = nil
	}
	return e
}

// TestCodecNumbers checks the edges of the duration and float encodings.
func TestCodecNumbers(t *testing.T) {
	for _, d := range []time.Duration{0, 1, -1, time.Second, -time.Second, 1500 * time.Millisecond, -1500 * time.Millisecond,
		90 * time.Minute, 1<<62 + 3, math.MaxInt64, math.MinInt64, math.MinInt64 + 1, -math.MaxInt64} {
		e := engine.Event{Seq: 1, At: d, Data: engine.Details{Deadline: d, Latency: d, Command: &engine.Command{Delay: d}, Expectations: []engine.OpenExpectation{{Deadline: d}},
			ControlFields: &engine.ControlFields{Delay: d}}}
		if got := roundTrip(t, &e); !reflect.DeepEqual(got, withoutEmptyGroups(e)) {
			t.Errorf("duration %d: got %+v", d, got)
		}
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 7.25, math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.Inf(1), math.Inf(-1), math.NaN()} {
		e := engine.Event{Seq: 1, Data: engine.Details{Points: f, Command: &engine.Command{Speed: f},
			ControlFields: &engine.ControlFields{Speed: f}}}
		got := roundTrip(t, &e)
		for _, g := range []float64{got.Data.Control().Speed, got.Data.Points, got.Data.Command.Speed} {
			if math.Float64bits(g) != math.Float64bits(f) {
				t.Errorf("float %v came back as %v", f, g)
			}
		}
	}
	for _, seq := range []uint64{0, 1, 127, 128, math.MaxUint64} {
		e := engine.Event{Seq: seq, Data: engine.Details{MaxPoints: int(int64(seq)),
			CreationFields: &engine.CreationFields{Seed: seq}}}
		if got := roundTrip(t, &e); !reflect.DeepEqual(got, withoutEmptyGroups(e)) {
			t.Errorf("seq %d: got %+v", seq, got)
		}
	}
}

// TestCodecLarge checks events bigger than the fast paths: long texts
// (multi-byte length prefixes) and lists longer than the decoder's chunks.
func TestCodecLarge(t *testing.T) {
	var events []engine.Event
	var blob []byte
	for i, size := range []int{0, 100, 127, 128, 16383, 16384, 200_000} {
		e := engine.Event{Seq: uint64(i + 1), Data: engine.Details{Text: strings.Repeat("x", size)}}
		for j := range size / 100 {
			e.Audience = append(e.Audience, fmt.Sprint("team", j))
			e.Data.Expectations = append(e.Data.Expectations, engine.OpenExpectation{ID: fmt.Sprint(j)})
		}
		if got := roundTrip(t, &e); !reflect.DeepEqual(got, e) {
			t.Fatalf("size %d does not round-trip", size)
		}
		events = append(events, e)
		blob = store.AppendEvent(blob, &e)
	}
	var d store.Decoder
	got, err := d.Events(nil, blob, 0)
	if err != nil || !reflect.DeepEqual(got, events) {
		t.Fatalf("batch does not round-trip: %v", err)
	}
	got, err = d.EventsString(got[:0], string(blob), 3)
	if err != nil || !reflect.DeepEqual(got, events[3:]) {
		t.Fatalf("batch from a string does not round-trip: %v", err)
	}
}

// TestDecodeCorrupt checks that every truncation and many corruptions of a
// valid encoding give an error wrapping ErrCorrupt or decode to something,
// never a panic.
func TestDecodeCorrupt(t *testing.T) {
	var e engine.Event
	n := 0
	fill(reflect.ValueOf(&e).Elem(), &n)
	b := store.AppendEvent(nil, &e)
	for i := range len(b) {
		var got engine.Event
		if _, err := store.DecodeEvent(b[:i], &got); !errors.Is(err, store.ErrCorrupt) {
			t.Fatalf("truncated to %d bytes: err = %v, want ErrCorrupt", i, err)
		}
		if _, err := store.DecodeEvents(nil, b[:i], 0); i > 0 && !errors.Is(err, store.ErrCorrupt) {
			t.Fatalf("batch truncated to %d bytes: err = %v, want ErrCorrupt", i, err)
		}
	}
	for i := range len(b) {
		for _, x := range []byte{0x00, 0x01, 0x7f, 0x80, 0xff} {
			c := bytes.Clone(b)
			c[i] = x
			var got engine.Event
			store.DecodeEvent(c, &got)
			store.DecodeEvents(nil, c, 0)
			store.DecodeEvents(nil, c, 3)
		}
	}
	// A version this code does not know is refused with a clear message.
	c := bytes.Clone(b)
	c[lenPrefix(c)] = 9
	if _, err := store.DecodeEvent(c, new(engine.Event)); err == nil || !strings.Contains(err.Error(), "version 9") {
		t.Fatalf("err = %v, want a codec version error", err)
	}
}

// lenPrefix returns the size of the length prefix of an encoded event.
func lenPrefix(b []byte) int {
	for i, c := range b {
		if c < 0x80 {
			return i + 1
		}
	}
	return len(b)
}

// FuzzDecodeEvent checks that decoding arbitrary bytes never panics and
// that whatever decodes re-encodes stably: decode(encode(decode(x))) equals
// decode(x), compared through their encodings (NaN floats defeat DeepEqual).
func FuzzDecodeEvent(f *testing.F) {
	for _, events := range goldenLogs(f) {
		for i := range events {
			if i%7 == 0 || events[i].Data.Command != nil && i%3 == 0 {
				f.Add(store.AppendEvent(nil, &events[i]))
			}
		}
	}
	var e engine.Event
	n := 0
	fill(reflect.ValueOf(&e).Elem(), &n)
	f.Add(store.AppendEvent(nil, &e))
	f.Fuzz(func(t *testing.T, data []byte) {
		var e1 engine.Event
		if _, err := store.DecodeEvent(data, &e1); err != nil {
			if !errors.Is(err, store.ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		b1 := store.AppendEvent(nil, &e1)
		var e2 engine.Event
		if _, err := store.DecodeEvent(b1, &e2); err != nil {
			t.Fatalf("re-encoded event does not decode: %v", err)
		}
		if b2 := store.AppendEvent(nil, &e2); !bytes.Equal(b1, b2) {
			t.Fatalf("unstable:\n%x\n%x", b1, b2)
		}
		batch, err := store.DecodeEvents(nil, append(bytes.Clone(b1), b1...), 0)
		if err != nil || len(batch) != 2 {
			t.Fatalf("batch of two: %d events, %v", len(batch), err)
		}
		if b3 := store.AppendEvent(nil, &batch[1]); !bytes.Equal(b1, b3) {
			t.Fatalf("batch decoding differs:\n%x\n%x", b1, b3)
		}
	})
}

// BenchmarkDecodeEvents measures the codec alone on the golden logs.
func BenchmarkDecodeEvents(b *testing.B) {
	var blob []byte
	count := 0
	for _, events := range goldenLogs(b) {
		for i := range events {
			blob = store.AppendEvent(blob, &events[i])
			count++
		}
	}
	b.SetBytes(int64(len(blob)))
	b.ReportAllocs()
	dst := make([]engine.Event, 0, count)
	for b.Loop() {
		var err error
		if _, err = store.DecodeEvents(dst[:0], blob, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(count)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAppendEvent measures encoding the golden logs.
func BenchmarkAppendEvent(b *testing.B) {
	var all []engine.Event
	for _, events := range goldenLogs(b) {
		all = append(all, events...)
	}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf = buf[:0]
		for i := range all {
			buf = store.AppendEvent(buf, &all[i])
		}
	}
	b.SetBytes(int64(len(buf)))
	b.ReportMetric(float64(len(all))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// TestDecoderReusedSlices checks that decoding in place gives the same
// events whatever the slice decoded into held before: a reused slice whose
// spare capacity holds old events, a reserved one, and two slices in turn
// with one Decoder (which must not take one's spare room for zero because
// the other's is).
func TestDecoderReusedSlices(t *testing.T) {
	var events []engine.Event
	for _, log := range goldenLogs(t) {
		events = append(events, log...)
	}
	events = events[:min(len(events), 300)]
	var blob []byte
	for i := range events {
		blob = store.AppendEvent(blob, &events[i])
	}
	var dec store.Decoder
	check := func(what string, got []engine.Event, err error, want []engine.Event) {
		t.Helper()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: %d events, %v; want the %d encoded", what, len(got), err, len(want))
		}
	}

	stale := slices.Clone(events) // every spare element non-zero
	slices.Reverse(stale)
	got, err := dec.Events(stale[:0], blob, 0)
	check("into a used slice", got, err, events)

	a := dec.Reserve(len(events))
	a, err = dec.Events(a, blob, 0)
	check("into a reserved slice", a, err, events)
	b := dec.Reserve(2 * len(events))
	b, err = dec.Events(b, blob, 0)
	check("into a second reserved slice", b, err, events)
	// a's elements after 10 were written: decoding into a[:10] again must
	// clear them even though b, decoded into last, was fresh there.
	a, err = dec.Events(a[:10], blob, 0)
	check("into the first slice cut back", a, err, append(slices.Clone(events[:10]), events...))
	b, err = dec.Events(b, blob, 0)
	check("into the second slice again", b, err, append(slices.Clone(events), events...))

	// A truncated last event: the ones before it are kept, with ErrCorrupt.
	got, err = dec.Events(stale[:0], blob[:len(blob)-1], 0)
	if !errors.Is(err, store.ErrCorrupt) || !reflect.DeepEqual(got, events[:len(events)-1]) {
		t.Fatalf("truncated batch: %d events, %v; want %d and ErrCorrupt", len(got), err, len(events)-1)
	}
}
