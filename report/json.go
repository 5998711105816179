package report

import (
	"encoding/json"
	"io"
)

// WriteJSON writes the report as indented JSON: the report's
// machine-readable form (see Report for the fields).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadJSON decodes a report written by WriteJSON, so it can be rendered
// again in another format.
func ReadJSON(rd io.Reader) (*Report, error) {
	var r Report
	dec := json.NewDecoder(io.LimitReader(rd, 1<<30))
	if err := dec.Decode(&r); err != nil {
		return nil, err
	}
	return &r, nil
}
