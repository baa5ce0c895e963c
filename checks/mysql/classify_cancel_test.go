package mysql

import (
	"context"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
)

// A cancelled context is the run ending, not the server's timeout; a
// context past its own deadline is the server's timeout.
func TestCancelledQueryIsNotATimeout(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if f := classifyQuery(cancelled, context.Canceled, nil); f.Cause != depcheck.CauseInterrupted {
		t.Errorf("cancelled query: %+v, want cause interrupted", f.Failure)
	}
	expired, stop := context.WithTimeout(context.Background(), time.Nanosecond)
	defer stop()
	<-expired.Done()
	if f := classifyQuery(expired, context.DeadlineExceeded, nil); f.Cause != depcheck.CauseTimeout {
		t.Errorf("query past its deadline: %+v, want cause timeout", f.Failure)
	}
	if deadlinePassed(cancelled) {
		t.Error("a cancelled context without a deadline is not a passed deadline")
	}
}
