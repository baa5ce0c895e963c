package memory

import (
	"strings"

	"github.com/golive-sh/golive/internal/facts"
)

// fstab is where swap areas are configured for boot; systemd-fstab-generator
// turns each swap line into a .swap unit that swap.target pulls in.
const fstab = facts.FstabPath

// fstabSwap is one swap line of /etc/fstab (fstab(5)).
type fstabSwap struct {
	Spec    string `json:"spec"` // UUID=..., LABEL=..., /dev/..., /swap.img
	Options string `json:"options"`
	Line    int    `json:"line"`
	Text    string `json:"text"`
	// NoAuto entries are not activated at boot (nor by swapon -a).
	NoAuto bool `json:"noauto,omitempty"`
}

// parseFstabSwaps returns the swap entries of an fstab (facts.ParseFstab):
// lines whose third field (the type) is "swap".
func parseFstabSwaps(data []byte) []fstabSwap { return swapsOf(facts.ParseFstab(data)) }

// swapsOf keeps the swap entries of a parsed fstab.
func swapsOf(entries []facts.FstabEntry) []fstabSwap {
	var out []fstabSwap
	for _, e := range entries {
		if e.Type != "swap" {
			continue
		}
		s := fstabSwap{Spec: e.Spec, Options: e.Options, Line: e.Line, Text: e.Text}
		for _, o := range strings.Split(e.Options, ",") {
			if o == "noauto" {
				s.NoAuto = true
			}
		}
		out = append(out, s)
	}
	return out
}
