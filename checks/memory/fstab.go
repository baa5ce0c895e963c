package memory

import (
	"bytes"
	"strings"

	"github.com/golive-sh/golive/internal/kerneltext"
)

// fstab is where swap areas are configured for boot; systemd-fstab-generator
// turns each swap line into a .swap unit that swap.target pulls in.
const fstab = "/etc/fstab"

const maxFstab = 1 << 20

// fstabSwap is one swap line of /etc/fstab (fstab(5)).
type fstabSwap struct {
	Spec    string `json:"spec"` // UUID=..., LABEL=..., /dev/..., /swap.img
	Options string `json:"options"`
	Line    int    `json:"line"`
	Text    string `json:"text"`
	// NoAuto entries are not activated at boot (nor by swapon -a).
	NoAuto bool `json:"noauto,omitempty"`
}

// parseFstabSwaps returns the swap entries of an fstab: lines whose third
// field (the type) is "swap". Comments start with #; fields are separated
// by blanks, with \040 standing for a space inside a field.
func parseFstabSwaps(data []byte) []fstabSwap {
	var out []fstabSwap
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimSpace(string(raw))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 || f[2] != "swap" {
			continue
		}
		spec, err := kerneltext.Unescape(f[0])
		if err != nil {
			spec = f[0]
		}
		e := fstabSwap{Spec: spec, Options: "defaults", Line: i + 1, Text: kerneltext.Clip(line, 256)}
		if len(f) > 3 {
			e.Options = f[3]
		}
		for _, o := range strings.Split(e.Options, ",") {
			if o == "noauto" {
				e.NoAuto = true
			}
		}
		out = append(out, e)
	}
	return out
}
