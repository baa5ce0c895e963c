package cli

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/spf13/pflag"
)

// listValue must read a command line exactly as pflag's StringSlice and
// StringArray do, which golive used before: the same items, the same
// errors, the same help. Generated command lines, with commas, quotes,
// empty values and repeats.
func TestListFlagsReadAsPflags(t *testing.T) {
	parts := []string{"sysctl", "sysctl/*", "a,b", `"a,b",c`, `x"y`, "", ",", " os ", `"unterminated`, "dns/nameserver:10.0.0.2"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		var args []string
		for range rng.IntN(4) {
			args = append(args, "--l="+parts[rng.IntN(len(parts))])
		}
		for _, split := range []bool{true, false} {
			ref := pflag.NewFlagSet("ref", pflag.ContinueOnError)
			ours := pflag.NewFlagSet("ours", pflag.ContinueOnError)
			var want, got []string
			if split {
				ref.StringSliceVar(&want, "l", nil, "")
				stringsFlag(ours, &got, "l", "", "")
			} else {
				ref.StringArrayVar(&want, "l", nil, "")
				arrayFlag(ours, &got, "l", "", "")
			}
			refErr, err := ref.Parse(args), ours.Parse(args)
			if (refErr != nil) != (err != nil) || !reflect.DeepEqual(want, got) {
				t.Fatalf("case %d split=%v %q: pflag %q %v, ours %q %v", i, split, args, want, refErr, got, err)
			}
			if refErr == nil && ref.Lookup("l").Changed != ours.Lookup("l").Changed {
				t.Fatalf("%q: Changed differs", args)
			}
			rf, of := ref.Lookup("l"), ours.Lookup("l")
			rn, ru := pflag.UnquoteUsage(rf)
			on, ou := pflag.UnquoteUsage(of)
			if fmt.Sprint(rn, ru) != fmt.Sprint(on, ou) || ref.FlagUsages() != ours.FlagUsages() {
				t.Fatalf("help: pflag %q, ours %q", rn, on)
			}
		}
	}
}
