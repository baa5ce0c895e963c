package host

import (
	"sort"
	"sync"
)

// A Host lives for one run, so what is derived from its files (a parsed
// /etc/passwd, a unit with its drop-ins) can be kept on it for the run:
// internal/facts computes each such value once and keeps it here, and every
// check of the run, in parallel, shares it. No family keeps a cache of its
// own (docs/ARCHITECTURE.md, "Layers").

type memoEntry struct {
	once sync.Once
	val  any
}

// Memo returns the value kept under key for this host, computing it with
// load the first time it is asked for. Concurrent callers of one key wait
// for the first load and share its result. Keys are compared with ==; use
// an unexported key type per package, as context.WithValue's callers do.
func (h *Host) Memo(key any, load func() any) any {
	e, _ := h.memo.LoadOrStore(key, &memoEntry{})
	m := e.(*memoEntry)
	m.once.Do(func() { m.val = load() })
	return m.val
}

// ReadLog counts the files a Host opened for reading, by the name asked
// for. Tests use it to prove that a run parses each file of the system
// once (WithReadLog).
type ReadLog struct {
	mu     sync.Mutex
	counts map[string]int
}

// WithReadLog records every file read (ReadFile, ReadFileLimit, Open) in log.
func WithReadLog(log *ReadLog) Option { return func(h *Host) { h.reads = log } }

func (l *ReadLog) add(name string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts == nil {
		l.counts = map[string]int{}
	}
	l.counts[name]++
}

// Counts returns how often each file was read.
func (l *ReadLog) Counts() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int, len(l.counts))
	for k, v := range l.counts {
		out[k] = v
	}
	return out
}

// Repeated lists the files read more than once, sorted.
func (l *ReadLog) Repeated() []string {
	var out []string
	for name, n := range l.Counts() {
		if n > 1 {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
