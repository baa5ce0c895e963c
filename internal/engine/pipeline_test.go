package engine

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

const waivedProfile = `extends: none
enginetest:
  second: fail
  first: pass
waivers:
  - check: enginetest/second
    reason: known
    ticket: OPS-1
    expires: 2099-12-31
  - check: enginetest/secnod
    reason: a typo
    ticket: OPS-2
    expires: 2099-12-31
`

func TestPrepareOrdersBuildWaiversThenSelection(t *testing.T) {
	p, _ := resolve(t, waivedProfile)
	h := testHost(t)
	for _, tc := range []struct {
		name string
		sel  Selection
		want []string
	}{
		{"everything", Selection{}, []string{"enginetest/second", "enginetest/first", "always/one", "waiver/enginetest/secnod"}},
		// The waiver for enginetest/second matched before --only left that
		// check out: it is not called a typo.
		{"only first", Selection{Only: []string{"enginetest/first"}}, []string{"enginetest/first"}},
		{"waiver checks are selected like any check", Selection{Only: []string{"waiver"}}, []string{"waiver/enginetest/secnod"}},
		{"skip a waiver check", Selection{Skip: []string{"waiver/*"}}, []string{"enginetest/second", "enginetest/first", "always/one"}},
		{"no waivers", Selection{NoWaivers: true}, []string{"enginetest/second", "enginetest/first", "always/one"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := Prepare(p, h, tc.sel)
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.IDs(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("plan %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPrepareRefusesASelectionThatSelectsNothing(t *testing.T) {
	p, _ := resolve(t, waivedProfile)
	for _, sel := range []Selection{
		{Only: []string{"nosuch"}},
		{Skip: []string{"enginetest/third"}},
		// Without waivers there is no waiver check to select.
		{Only: []string{"waiver/*"}, NoWaivers: true},
	} {
		if _, err := Prepare(p, testHost(t), sel); err == nil || !strings.Contains(err.Error(), "matches no check") {
			t.Errorf("%+v: err %v", sel, err)
		}
	}
}

func TestPlanRunAppliesItsWaivers(t *testing.T) {
	p, _ := resolve(t, waivedProfile)
	h := testHost(t)
	status := func(sel Selection) map[string]Status {
		plan, err := Prepare(p, h, sel)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]Status{}
		for _, r := range plan.Run(context.Background(), RunOptions{}).Results {
			out[r.ID] = r.Status
		}
		return out
	}
	got := status(Selection{})
	want := map[string]Status{"enginetest/second": Waived, "enginetest/first": Pass, "always/one": Pass, "waiver/enginetest/secnod": Warn}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("run %v, want %v", got, want)
	}
	if got := status(Selection{NoWaivers: true}); got["enginetest/second"] != Fail {
		t.Errorf("--no-waivers still waived: %v", got)
	}
}
