package systemd

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// timeUnits are the units systemd.time(7) accepts in a time span.
var timeUnits = map[string]time.Duration{
	"us": time.Microsecond, "usec": time.Microsecond, "µs": time.Microsecond, "μs": time.Microsecond,
	"ms": time.Millisecond, "msec": time.Millisecond,
	"s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
	"M": 2629800 * time.Second, "month": 2629800 * time.Second, "months": 2629800 * time.Second,
	"y": 31557600 * time.Second, "year": 31557600 * time.Second, "years": 31557600 * time.Second,
}

// parseTimespan parses a systemd time span ("5", "5s", "1min 30s",
// "100ms", "infinity"): components of a number (fraction allowed) and a
// unit, summed; a bare number is in seconds. infinity is the largest
// duration.
func parseTimespan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "infinity" {
		return math.MaxInt64, nil
	}
	if s == "" {
		return 0, fmt.Errorf("empty time span")
	}
	var total float64
	for rest := s; rest != ""; {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			break
		}
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("%q is not a time span", s)
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a time span", s)
		}
		rest = strings.TrimLeft(rest[i:], " \t")
		j := 0
		for j < len(rest) && !(rest[j] >= '0' && rest[j] <= '9') && rest[j] != ' ' && rest[j] != '\t' && rest[j] != '.' {
			j++
		}
		unit := time.Second
		if j > 0 {
			u, ok := timeUnits[rest[:j]]
			if !ok {
				return 0, fmt.Errorf("%q: unknown time unit %q", s, rest[:j])
			}
			unit = u
		}
		rest = rest[j:]
		total += n * float64(unit)
		if total > math.MaxInt64/2 {
			return math.MaxInt64, nil
		}
	}
	return time.Duration(total), nil
}
