package engine

import (
	"context"
	"testing"

	"github.com/golive-sh/golive/internal/host"
)

type expander struct {
	*funcCheck
	into []Check
}

func (e expander) Expand(*host.Host) []Check { return e.into }

func TestExpandReplacesInPlace(t *testing.T) {
	pass := func(context.Context) Result { return Result{Status: Pass} }
	a, z := check("t/a", pass), check("t/z", pass)
	e := expander{check("t/many", pass), []Check{check("t/many:1", pass), check("t/many:2", pass)}}
	none := expander{check("t/none", pass), nil}
	got, err := Expand(testHost(t), []Check{a, e, none, z})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID())
	}
	if want := "t/a t/many:1 t/many:2 t/z"; joinIDs(ids) != want {
		t.Errorf("expanded to %s, want %s", joinIDs(ids), want)
	}
	dup := expander{check("t/dup", pass), []Check{check("t/a", pass)}}
	if _, err := Expand(testHost(t), []Check{a, dup}); err == nil {
		t.Error("an expansion that repeats an ID must be an error")
	}
}

func joinIDs(ids []string) string {
	s := ""
	for i, id := range ids {
		if i > 0 {
			s += " "
		}
		s += id
	}
	return s
}
