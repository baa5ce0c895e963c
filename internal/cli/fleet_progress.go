package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/golive-sh/golive/internal/fleet"
	"github.com/golive-sh/golive/internal/textfmt"
)

// fleetProgress shows a fan-out's progress on standard error. On a
// terminal: one live line (hosts done, failed, running, elapsed) redrawn
// in place with \r and cleared at the end, a host that could not be
// checked printed above it; elsewhere (a pipe, a CI log): one plain line
// per host as it finishes.
type fleetProgress struct {
	w     io.Writer
	tty   bool
	width int
	total int
	start time.Time
	now   func() time.Time

	mu                     sync.Mutex
	done, failed, running  int
	drawn                  bool
	stopTicker, tickerDone chan struct{}
}

// redrawEvery is how often the live line's elapsed time moves on.
const redrawEvery = 500 * time.Millisecond

func newFleetProgress(streams IO, total int) *fleetProgress {
	p := &fleetProgress{w: streams.Err, tty: streams.ErrTTY, total: total, now: time.Now}
	p.start = p.now()
	if p.tty {
		p.width = terminalWidth(streams.Err, streams.Getenv)
		p.stopTicker, p.tickerDone = make(chan struct{}), make(chan struct{})
		go p.tick()
	}
	return p
}

func (p *fleetProgress) tick() {
	defer close(p.tickerDone)
	t := time.NewTicker(redrawEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stopTicker:
			return
		case <-t.C:
			p.mu.Lock()
			p.draw()
			p.mu.Unlock()
		}
	}
}

// started counts a host as running.
func (p *fleetProgress) started(fleet.Target) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running++
	if p.tty {
		p.draw()
	}
}

// finished counts a host as done and says how it went.
func (p *fleetProgress) finished(r fleet.HostResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.running--
	ok := r.Kind == fleet.KindOK
	if !ok {
		p.failed++
	}
	state := string(r.Kind)
	if ok {
		state += ", verdict " + r.Verdict
	} else {
		state += ": " + r.Err
	}
	line := fmt.Sprintf("golive: [%d/%d] %s %s (%s)", p.done, p.total, r.Target, state, r.Duration.Round(time.Millisecond))
	if !p.tty {
		fmt.Fprintln(p.w, line)
		return
	}
	if !ok { // a failure stays on the screen, above the live line
		p.clear()
		fmt.Fprintln(p.w, line)
	}
	p.draw()
}

// draw redraws the live line in place, cut to the terminal's width so it
// never wraps (a wrapped line cannot be redrawn with \r).
func (p *fleetProgress) draw() {
	line := fmt.Sprintf("golive: %d/%d hosts done, %d failed, %d running, %s",
		p.done, p.total, p.failed, p.running, p.now().Sub(p.start).Round(100*time.Millisecond))
	if p.width > 1 && textfmt.Width(line) > p.width-1 {
		line = textfmt.Truncate(line, p.width-1, "…")
	}
	fmt.Fprint(p.w, "\r"+line+"\x1b[K")
	p.drawn = true
}

func (p *fleetProgress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// close stops the live line and clears it, so what follows starts on a
// clean line.
func (p *fleetProgress) close() {
	if !p.tty {
		return
	}
	close(p.stopTicker)
	<-p.tickerDone
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}
