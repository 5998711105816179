package sqlite

import (
	"context"
	"fmt"

	"cmesim/store"
)

var _ store.LogVersioner = (*DB)(nil)

// RaiseLogVersion implements store.LogVersioner.
func (db *DB) RaiseLogVersion(ctx context.Context, exercise string, v int) error {
	return db.submit(ctx, func(ctx context.Context) (error, error) {
		res, err := db.wc.ExecContext(ctx, `UPDATE exercises SET log_version = max(log_version, ?) WHERE id = ?`, v, exercise)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err != nil {
				return nil, err
			}
			return fmt.Errorf("exercise %q: %w", exercise, store.ErrNotFound), nil
		}
		return nil, nil
	})
}
