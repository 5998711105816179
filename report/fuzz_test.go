package report_test

import (
	"bytes"
	"io"
	"testing"

	"cmesim/engine"
	"cmesim/report"
)

// FuzzReadAndBuild feeds arbitrary logs to engine.ReadLog and, when they
// read, to Build and every renderer: none may panic, whatever the log says.
func FuzzReadAndBuild(f *testing.F) {
	s := MustLoad(f, exampleFile)
	log, err := engine.MarshalLog(MustRun(f, s, 1))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(log)
	f.Add(bytes.Replace(log, []byte(`"co-csirt"`), []byte(`"pe-csirt"`), 3))
	f.Add(bytes.Replace(log, []byte(`"expectation.met"`), []byte(`"expectation.wrong"`), 2))
	f.Add([]byte(`{"seq":1,"type":"exercise.created","data":{}}` + "\n" + `{"seq":2,"type":"incident.spread","team":"zz","data":{"cause":"miss:a.b:c"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		events, err := engine.ReadLog(bytes.NewReader(data))
		if err != nil {
			return
		}
		r, err := report.Build(s, events, nil)
		if err != nil {
			return
		}
		for _, w := range []func(io.Writer) error{r.WriteJSON, r.WriteHTML, r.WriteMarkdown, r.WriteCSV} {
			if err := w(io.Discard); err != nil {
				t.Fatal(err)
			}
		}
	})
}
