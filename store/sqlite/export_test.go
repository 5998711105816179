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
