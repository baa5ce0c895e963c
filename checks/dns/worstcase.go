package dns

import (
	"fmt"
	"strings"
)

// windows returns how many seconds glibc waits for each of n nameservers
// in one attempt (res_send.c, send_dg): the first gets the timeout, server
// i > 0 gets (timeout << i) / n, and none gets less than one second. With
// the default 5 s and three servers that is 5, 3 and 6 s.
func windows(timeout, n int) []int {
	w := make([]int, n)
	for i := range w {
		s := timeout << i
		if i > 0 {
			s /= n
		}
		w[i] = max(s, 1)
	}
	return w
}

// worstCase is how long one lookup of one name can block when every
// nameserver in use is silent, for glibc (C programs, cgo Go binaries)
// and for Go's own resolver (CGO_ENABLED=0 binaries); a service built
// either way is covered by the larger.
type worstCase struct {
	Seconds     int    `json:"seconds"`
	Glibc       int    `json:"glibc_s"`
	Go          int    `json:"go_s"`
	Windows     []int  `json:"glibc_windows_s"`
	Attempts    int    `json:"attempts"`
	Nameservers int    `json:"nameservers"`
	GlibcHow    string `json:"glibc_how"`
	GoHow       string `json:"go_how"`
	Note        string `json:"note"`
}

// worstCaseNote says what the figure covers and what it leaves out.
const worstCaseNote = "one name, every nameserver in use silent, no answer cached; " +
	"glibc sends A and AAAA together and waits one window for both; " +
	"a name that goes through the search list can cost a second round " +
	"(glibc stops searching after a timeout, then still tries the name as given), " +
	"and Go's resolver tries every candidate name"

// worstCaseFor computes worstCase for resolver options and n nameservers.
func worstCaseFor(o options, n int) worstCase {
	w := worstCase{Windows: windows(o.timeout, n), Attempts: o.attempts, Nameservers: n, Note: worstCaseNote}
	perAttempt := 0
	parts := make([]string, len(w.Windows))
	for i, s := range w.Windows {
		perAttempt += s
		parts[i] = fmt.Sprintf("%d s", s)
	}
	sum := strings.Join(parts, " + ")
	if n > 1 {
		sum = "(" + sum + ")"
	}
	if o.attempts <= 0 {
		w.GlibcHow = fmt.Sprintf("attempts:%d: glibc sends no query at all, every DNS lookup fails at once", o.attempts)
	} else {
		w.Glibc = perAttempt * o.attempts
		w.GlibcHow = fmt.Sprintf("%s per attempt × %d attempts = %d s (server i > 0 waits (timeout << i) / %d)", sum, o.attempts, w.Glibc, n)
	}
	rounds, how := 1, "A and AAAA in parallel"
	if o.singleRequest || o.singleRequestReopen {
		rounds, how = 2, "single-request: A, then AAAA"
	}
	w.Go = o.goTimeout * n * o.goAttempts * rounds
	w.GoHow = fmt.Sprintf("%d s × %d nameservers × %d attempts", o.goTimeout, n, o.goAttempts)
	if rounds == 2 {
		w.GoHow += " × 2"
	}
	w.GoHow += fmt.Sprintf(" = %d s (%s)", w.Go, how)
	w.Seconds = max(w.Glibc, w.Go)
	return w
}
