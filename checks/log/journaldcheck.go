package logs

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// goliveJournaldDropIn is the drop-in golive's fix writes. Drop-ins apply
// in file-name order whatever their directory, so a later name
// (journald.conf.d/zz-*.conf) would still override it: the fix says so
// instead of writing then.
const goliveJournaldDropIn = "/etc/systemd/journald.conf.d/golive.conf"

type journaldCheck struct {
	engine.Base
	set settings
}

func (c *journaldCheck) Run(_ context.Context, h *host.Host) engine.Result {
	conf := readJournald(h)
	st := effectiveStorage(h, conf, c.set.defStorage)
	res := engine.Result{Details: map[string]any{
		"storage": st.Value, "effective": st.Effective, "default": c.set.defStorage,
		"files": strings.Join(conf.Files, " "),
	}}
	if st.From != "" {
		res.Details["storage_from"] = st.From
	}
	maxUse, maxFrom, explicit := c.maxUse(conf)
	res.Details["system_max_use"] = maxUse
	if maxFrom != "" {
		res.Details["system_max_use_from"] = maxFrom
	}
	for _, k := range []string{"SystemKeepFree", "SystemMaxFileSize", "RuntimeMaxUse", "MaxRetentionSec"} {
		if v, ok := conf.Keys[k]; ok {
			res.Details[strings.ToLower(k)] = v.Value
		}
	}
	usage := c.usage(h, res.Details)
	res.Observed = fmt.Sprintf("Storage=%s → %s; SystemMaxUse=%s%s", st.Value, st.Effective, maxUse, usage)
	if st.From == "" {
		res.Observed = fmt.Sprintf("Storage=%s (default) → %s; SystemMaxUse=%s%s", st.Value, st.Effective, maxUse, usage)
	}

	var problems []string
	var lines []string
	storageOK := c.set.storage == "any" || st.Effective == c.set.storage
	if !storageOK {
		problems = append(problems, st.Why)
		lines = append(lines, "Storage="+c.set.storage)
	}
	if explicit > c.set.maxUse {
		problems = append(problems, fmt.Sprintf("SystemMaxUse=%s (%s) lets the journal take more than %s", maxUse, maxFrom, c.set.maxUseText))
		lines = append(lines, "SystemMaxUse="+c.set.maxUseText)
	}
	if len(problems) == 0 {
		res.Status = engine.Pass
		res.Message = st.Why
		if len(conf.Problems) > 0 {
			res.Message += "; configuration problems: " + strings.Join(conf.Problems, "; ")
		}
		return res
	}
	res.Status = engine.MissStatus(c.M.Level)
	res.Message = strings.Join(problems, "; ")
	res.Remediation = c.plan(conf, lines)
	return res
}

// maxUse is SystemMaxUse= as text, where it was set, and its bytes when
// set (0: journald's default, which never exceeds 4G).
func (c *journaldCheck) maxUse(conf journaldConfig) (text, from string, bytes int64) {
	v, ok := conf.Keys["SystemMaxUse"]
	if !ok {
		return "default (10% of the file system, at most 4G)", "", 0
	}
	n, err := parseJournaldSize(v.Value)
	if err != nil {
		return v.Value + " (unreadable: journald keeps its default)", v.File, 0
	}
	return v.Value, v.File, n
}

// usage is the journal's size on disk now, for the report.
func (c *journaldCheck) usage(h *host.Host, details map[string]any) string {
	var parts []string
	for _, dir := range []string{persistentDir, volatileDir} {
		n, files, err := journalUsage(h, dir)
		key := "usage_var"
		if dir == volatileDir {
			key = "usage_run"
		}
		if err != nil {
			details[key+"_error"] = err.Error()
			continue
		}
		if files == 0 {
			continue
		}
		details[key+"_bytes"] = n
		parts = append(parts, fmt.Sprintf("%s in %d %s under %s", humanBytes(n), files, plural(files, "file"), dir))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; journal now " + strings.Join(parts, ", ")
}

// plan writes golive's drop-in and restarts journald; when a drop-in that
// sorts after golive's sets a key the fix changes, only a person can.
func (c *journaldCheck) plan(conf journaldConfig, lines []string) *remediate.Plan {
	for _, l := range lines {
		key, _, _ := strings.Cut(l, "=")
		if v, ok := conf.Keys[key]; ok && strings.Contains(v.File, ".conf.d/") && path.Base(v.File) > path.Base(goliveJournaldDropIn) {
			return &remediate.Plan{Summary: "set " + strings.Join(lines, " and ") + " for journald", Actions: []remediate.Action{
				remediate.Tell(fmt.Sprintf("%s sets %s=%s and sorts after %s, so it would win: change it there to %s, then systemctl restart systemd-journald",
					v.File, key, v.Value, path.Base(goliveJournaldDropIn), l)),
			}}
		}
	}
	content := "# Written by golive for check log/journald: journald.conf(5)\n[Journal]\n" + strings.Join(lines, "\n") + "\n"
	return &remediate.Plan{Summary: "set " + strings.Join(lines, " and ") + " for journald", Actions: []remediate.Action{
		{Kind: remediate.DropIn, Path: goliveJournaldDropIn, Content: content},
		remediate.Run("journald reads its configuration when it starts", "systemctl", "restart", "systemd-journald"),
	}}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1fG", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1fM", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1fK", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%dB", n)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
