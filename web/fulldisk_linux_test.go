package web_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"cmesim/engine"
	"cmesim/store/sqlite"
	"cmesim/web"
)

// smallDisk mounts a 2 MiB tmpfs on a fresh directory and returns it; it
// is unmounted when the test ends. Mounting needs root, which CI has: there
// the test fails without it, elsewhere it is skipped.
func smallDisk(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=2m,mode=0700"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mounting a small tmpfs (CI runs as root and must run this test): %v", err)
		}
		t.Skipf("mounting a small tmpfs needs root: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmounting the tmpfs: %v", err)
		}
	})
	return dir
}

// fill writes a file in dir until the file system is full, and returns
// its path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return path
		}
	}
}

// TestFullDisk runs an exercise on a real file system that fills up: no
// action is acknowledged that is not stored, the exercise holds its clock
// and says why, and once space is freed it carries on by itself, with
// every acknowledged action in the store.
func TestFullDisk(t *testing.T) {
	dir := smallDisk(t)
	path := filepath.Join(dir, "data", "cmesim.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Config{AdminKey: adminKey, Store: db})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	closed := false
	stop := func() {
		if !closed {
			closed = true
			ts.Close()
			s.Close()
			db.Close()
		}
	}
	t.Cleanup(stop)
	srv := &testServer{Server: s, URL: ts.URL}
	ex := mustCreate(t, srv, "co-csirt")
	fac := join(t, srv, ex.Codes.Facilitator, "")
	fw := dial(t, fac, ex.ID, 0)
	fw.mustAck(t, cmd{"type": "start"})

	filler := fill(t, dir)
	text := strings.Repeat("x", engine.MaxTextLen)
	var acked []uint64
	var refused message
	for i := 0; ; i++ {
		if i == 400 { // 3 MiB of notes: far more than the disk holds
			t.Fatal("the disk is full, and still every note is acknowledged")
		}
		m := fw.command(t, "", cmd{"type": "note", "text": text})
		if m.Type == "error" {
			refused = expectError(t, m, "not_stored")
			break
		}
		acked = append(acked, m.Seq)
	}
	t.Logf("%d notes acknowledged before the disk was full; then %q", len(acked), refused.Message)
	if !strings.Contains(refused.Message, "full") {
		t.Fatalf("the refusal does not say the disk is full: %s", refused.Message)
	}
	held := fw.nextFrom(t, 0, storageStatus(t, true))
	if p := storageOf(t, held); !strings.Contains(p, "full") {
		t.Fatalf("the facilitator is told %q", p)
	}
	if code, body := ready(t, srv); code != http.StatusServiceUnavailable || !strings.Contains(body, "full") {
		t.Fatalf("/readyz on a full disk: %d %q", code, body)
	}

	mark := fw.mark()
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	fw.nextFrom(t, mark, storageStatus(t, false))
	last := fw.mustAck(t, cmd{"type": "note", "text": "space again"}).Seq
	acked = append(acked, last)
	stop()

	db, err = sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := storedLog(t, db, ex.ID)
	if uint64(len(log)) != last {
		t.Fatalf("the store holds %d events, want %d: the log ends with the last acknowledged action", len(log), last)
	}
	for i, e := range log {
		if e.Seq != uint64(i+1) {
			t.Fatalf("stored event %d has seq %d", i+1, e.Seq)
		}
	}
	for _, seq := range acked {
		if e := log[seq-1]; e.Type != engine.EventNote {
			t.Fatalf("acknowledged event %d is stored as %s, not the note", seq, e.Type)
		}
	}
	// The note refused as "not stored yet" was stored once space was
	// freed, just before the one sent after.
	if e := log[last-2]; e.Type != engine.EventNote || e.Data.Text != text || slices.Contains(acked, e.Seq) {
		t.Fatalf("event %d is %s, want the note applied while the disk was full", e.Seq, e.Type)
	}
}
