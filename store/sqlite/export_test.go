package sqlite

import "context"

// WriterPragma returns the value of a pragma on the committer's connection,
// to check the DSN's settings took effect.
func (db *DB) WriterPragma(name string) (string, error) {
	var v string
	err := db.submit(context.Background(), func(ctx context.Context) (error, error) {
		return nil, db.wc.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	})
	return v, err
}

// Thresholds of compaction, for tests.
const CompactRows = compactRows

// WriterExec runs a statement on the committer's connection: benchmarks
// turn fsync off to build big logs quickly.
func (db *DB) WriterExec(query string) error {
	r := &request{ctx: context.Background(), reply: make(chan error, 1), noTx: true, do: func(ctx context.Context) (error, error) {
		_, err := db.wc.ExecContext(ctx, query)
		return nil, err
	}}
	db.reqs <- r
	return <-r.reply
}
