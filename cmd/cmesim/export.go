package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"cmesim/engine"
	"cmesim/internal/config"
	"cmesim/store"
	"cmesim/store/archive"
	"cmesim/store/sqlite"
)

func (a *app) newExportCommand() *cobra.Command {
	var out string
	var salvage bool
	cmd := &cobra.Command{
		Use:   "export EXERCISE-ID -o FILE",
		Short: "Write an exercise (scenario and files, log, codes) from the store to an archive",
		Long: `Export copies one exercise from the exercise store (--data) into a
single archive file: its scenario exactly as it ran with the files it
attaches, its event log and its join codes. "cmesim import" loads it into another server's store, and
"cmesim report" reads it directly. A running exercise can be exported; the
archive holds the log as far as it was written. The archive is readable by
its owner only: it holds the join codes.

An exercise whose log is damaged is refused, unless --salvage: the archive
then holds the log up to the last event that reads back intact, and export
says where it stops and why.`,
		Example: `  cmesim export 3f2a9c1e-… -o grid-exercise.cmesim.tar.gz
  cmesim export 3f2a9c1e-… --salvage -o what-remains.cmesim.tar.gz`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.export(cmd.Context(), args[0], out, salvage)
		}),
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "archive `file` to write")
	cmd.Flags().BoolVar(&salvage, "salvage", false, "export a damaged log up to its last intact event")
	cmd.Flags().String("data", "", "directory of the exercise store (env CMESIM_DATA_DIR)")
	cmd.MarkFlagRequired("output")
	return cmd
}

func (a *app) newImportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import ARCHIVE",
		Short: "Load an exported exercise into the store",
		Long: `Import adds an exercise from an archive written by "cmesim export" to the
exercise store (--data). Start (or restart) "cmesim serve" on that store to
bring it up: a running exercise comes back paused, and its participants
rejoin with their old codes.`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.importArchive(cmd.Context(), args[0])
		}),
	}
	cmd.Flags().String("data", "", "directory of the exercise store (env CMESIM_DATA_DIR)")
	return cmd
}

// openStore opens the SQLite store in the configured data directory.
// Only a command that stores an exercise (import) creates one: the others
// read exercises, and an absent store says where it was looked for.
func (a *app) openStore(create bool) (*sqlite.DB, error) {
	dir := a.cfg.DataPath(a.getenv)
	path := filepath.Join(dir, "cmesim.db")
	if _, err := os.Stat(path); !create && errors.Is(err, fs.ErrNotExist) {
		where := "cmesim serve keeps its exercises there"
		if a.cfg.Store != "" {
			where = "these commands read the SQLite store only, not the PostgreSQL one configured"
		}
		return nil, fmt.Errorf("no exercise store in %s (%s); give the data directory with --data or %s", dir, where, config.EnvPrefix+"DATA_DIR")
	}
	db, err := sqlite.Open(path)
	if errors.Is(err, fs.ErrPermission) || (err != nil && strings.Contains(err.Error(), "readonly")) {
		return nil, fmt.Errorf("the data directory %s is not writable (%v); give another with --data or %s", dir, err, config.EnvPrefix+"DATA_DIR")
	}
	if err != nil {
		return nil, fmt.Errorf("opening the exercise store %s: %w", path, err)
	}
	return db, nil
}

// noExercise says that the store has no exercise id, and which it has.
func noExercise(ctx context.Context, db *sqlite.DB, id string) error {
	list, err := db.Exercises(ctx)
	if err != nil {
		return fmt.Errorf("no exercise %s in the store (listing the store's exercises failed too: %w)", id, err)
	}
	if len(list) == 0 {
		return fmt.Errorf("no exercise %s in the store, which holds none", id)
	}
	var ids []string
	for _, ex := range list {
		ids = append(ids, ex.ID+" ("+ex.Scenario+")")
	}
	const most = 10
	more := ""
	if len(ids) > most {
		more = fmt.Sprintf(" and %d more", len(ids)-most)
		ids = ids[len(ids)-most:]
	}
	return fmt.Errorf("no exercise %s in the store; it holds %s%s", id, strings.Join(ids, ", "), more)
}

func (a *app) export(ctx context.Context, id, out string, salvage bool) error {
	db, err := a.openStore(false)
	if err != nil {
		return err
	}
	defer db.Close()
	ex, err := db.Exercise(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("export: %w", noExercise(ctx, db, id))
	} else if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	events, err := a.storedLog(ctx, db, id, salvage)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	f, err := createPrivate(out)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	w := bufio.NewWriter(f)
	if err := archive.Write(w, ex, events); err != nil {
		f.Close()
		return fmt.Errorf("export: %w", err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("export: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(a.stdout, "exported %s (%d events) to %s\n", id, len(events), out)
	return nil
}

// storedLog reads an exercise's log from the store. A damaged log is an
// error that suggests --salvage; with salvage, it is read up to its last
// intact event, and where it stops is said on stderr.
func (a *app) storedLog(ctx context.Context, db *sqlite.DB, id string, salvage bool) ([]engine.Event, error) {
	if !salvage {
		events, err := db.Events(ctx, id, 0)
		if errors.Is(err, store.ErrCorrupt) {
			return nil, fmt.Errorf("%w\n(--salvage reads the log up to its last intact event)", err)
		}
		return events, err
	}
	events, err := db.Salvage(ctx, id)
	var damaged *store.DamagedLogError
	if errors.As(err, &damaged) {
		fmt.Fprintf(a.stderr, "salvage: the log of %s is damaged after event %d; recovered events 1–%d\n  why: %v\n", id, damaged.LastGood, damaged.LastGood, damaged.Err)
		return events, nil
	}
	if err == nil {
		fmt.Fprintf(a.stderr, "salvage: the log of %s is intact (%d events)\n", id, len(events))
	}
	return events, err
}

// createPrivate creates (or truncates) a file readable by its owner only.
func createPrivate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil { // it may have existed
		f.Close()
		return nil, err
	}
	return f, nil
}

func (a *app) importArchive(ctx context.Context, path string) error {
	ex, events, err := readArchive(path)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	db, err := a.openStore(true)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateExercise(ctx, ex); errors.Is(err, store.ErrExists) {
		return fmt.Errorf("import: the store already has exercise %s", ex.ID)
	} else if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	for start := 0; start < len(events); start += 1000 {
		if err := db.Append(ctx, ex.ID, events[start:min(start+1000, len(events))]); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	fmt.Fprintf(a.stdout, "imported %s (%d events); start cmesim serve on this store to bring it up\n", ex.ID, len(events))
	return nil
}

func readArchive(path string) (*store.Exercise, []engine.Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return archive.Read(bufio.NewReader(f))
}
