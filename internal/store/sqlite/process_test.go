package sqlite

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

// The tests here start copies of the test binary as other processes sharing one database file,
// as docpipe api and docpipe worker do.

const (
	childEnv = "DOCPIPE_SQLITE_TEST_CHILD"
	dbEnv    = "DOCPIPE_SQLITE_TEST_DB"
)

// TestChild is the other process: it opens the database and, when asked to claim, claims jobs
// until none is left, printing their documents' IDs.
func TestChild(t *testing.T) {
	mode := os.Getenv(childEnv)
	if mode == "" {
		t.Skip("runs only as a child of another test")
	}
	s, err := Open(t.Context(), os.Getenv(dbEnv))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if mode != "claim" {
		return
	}
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		out = bufio.NewWriter(os.Stdout)
	)
	for range 4 {
		wg.Go(func() {
			for {
				j, err := s.Claim(t.Context(), time.Hour)
				if errors.Is(err, document.ErrNoJob) {
					return
				}
				if err != nil {
					t.Errorf("Claim: %v", err)
					return
				}
				mu.Lock()
				fmt.Fprintln(out, "claimed", j.DocumentID)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	out.Flush()
}

// startChildren starts n processes in mode on the database at path.
func startChildren(t *testing.T, n int, mode, path string) []*exec.Cmd {
	t.Helper()
	var cmds []*exec.Cmd
	for range n {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), childEnv+"="+mode, dbEnv+"="+path)
		cmd.Stdout = new(bytes.Buffer)
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatalf("start child: %v", err)
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

func waitChildren(t *testing.T, cmds []*exec.Cmd) []string {
	t.Helper()
	var lines []string
	for _, cmd := range cmds {
		err := cmd.Wait()
		out := cmd.Stdout.(*bytes.Buffer).String()
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		lines = append(lines, strings.Split(out, "\n")...)
	}
	return lines
}

func TestOpenFromManyProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "docpipe.db")
	waitChildren(t, startChildren(t, 4, "open", path))
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	ms, err := store.LoadMigrations(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := inside(s).ro.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
	}
	var mode string
	if err := inside(s).ro.QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestClaimFromManyProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docpipe.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	const jobs = 200
	want := make(map[string]bool)
	for i := range jobs {
		d := &document.Document{Owner: "alice", Name: fmt.Sprintf("doc%d", i)}
		if err := s.Create(t.Context(), d); err != nil {
			t.Fatalf("Create: %v", err)
		}
		want[d.ID] = true
	}
	cmds := startChildren(t, 2, "claim", path)
	var local []string
	for {
		j, err := s.Claim(t.Context(), time.Hour)
		if errors.Is(err, document.ErrNoJob) {
			break
		}
		if err != nil {
			t.Fatalf("Claim: %v", err)
		}
		local = append(local, j.DocumentID)
	}
	got := make(map[string]int)
	for _, id := range local {
		got[id]++
	}
	for _, line := range waitChildren(t, cmds) {
		if id, ok := strings.CutPrefix(line, "claimed "); ok {
			got[id]++
		}
	}
	for id := range want {
		if got[id] != 1 {
			t.Errorf("document %s claimed %d times, want once", id, got[id])
		}
	}
	if len(got) != jobs {
		t.Errorf("%d documents claimed, want %d", len(got), jobs)
	}
	t.Logf("this process claimed %d of %d jobs", len(local), jobs)
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docpipe.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	d := &document.Document{Owner: "alice", Name: "kept"}
	if err := s.Create(t.Context(), d); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s, err = Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	if _, err := s.Get(t.Context(), "alice", d.ID); err != nil {
		t.Errorf("Get after reopening: %v", err)
	}
	if _, err := inside(s).rw.ExecContext(t.Context(), `INSERT INTO schema_migrations VALUES (9999, 'future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(t.Context(), path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open of a newer schema: %v, want an error saying it is newer", err)
	}
}
