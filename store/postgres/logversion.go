package postgres

import (
	"context"
	"fmt"

	"cmesim/store"
)

var _ store.LogVersioner = (*DB)(nil)

// RaiseLogVersion implements store.LogVersioner.
func (db *DB) RaiseLogVersion(ctx context.Context, exercise string, v int) error {
	if db.closed() {
		return db.errClosed()
	}
	if hasNUL(exercise) {
		return noExercise(exercise)
	}
	var rows int64
	err := db.retry(ctx, func() error {
		tag, err := db.pool.Exec(ctx, `UPDATE exercises SET log_version = greatest(log_version, $2) WHERE id = $1`, exercise, v)
		rows = tag.RowsAffected()
		return err
	})
	switch {
	case err != nil:
		return fmt.Errorf("recording the log version of exercise %q in the database %s: %w", exercise, db.name, err)
	case rows != 1:
		return noExercise(exercise)
	}
	return nil
}
