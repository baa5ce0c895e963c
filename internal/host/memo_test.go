package host

import (
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

func TestMemoLoadsOncePerHostUnderConcurrency(t *testing.T) {
	type key struct{}
	h1, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h2, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var loads atomic.Int32
	load := func() any { loads.Add(1); return "v" }
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := h1.Memo(key{}, load); got != "v" {
				t.Errorf("Memo = %v", got)
			}
		}()
	}
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Fatalf("32 concurrent callers loaded %d times, want 1", n)
	}
	// Another host is another run: its own value.
	h2.Memo(key{}, load)
	if n := loads.Load(); n != 2 {
		t.Fatalf("a second host loaded %d times in all, want 2", n)
	}
}

func TestReadLogCountsEveryRead(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	var log ReadLog
	h, err := New(dir, WithReadLog(&log))
	if err != nil {
		t.Fatal(err)
	}
	h.ReadFile("/f")
	h.ReadFileLimit("/f", 10)
	if f, err := h.Open("/f"); err == nil {
		f.Close()
	}
	h.ReadFile("/missing")
	if c := log.Counts(); c["/f"] != 3 || c["/missing"] != 1 {
		t.Fatalf("Counts = %v", c)
	}
	if r := log.Repeated(); len(r) != 1 || r[0] != "/f" {
		t.Fatalf("Repeated = %v", r)
	}
	// A host without a log reads as before.
	h2, _ := New(dir)
	if _, err := h2.ReadFile("/f"); err != nil {
		t.Fatal(err)
	}
}
