package remediate

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Ansible writes in as a playbook that makes the same changes as the bash
// script, with ansible.builtin modules only: lineinfile for file-line and
// sysctl-set's sysctl.d line (the same line, matched by the same rule, so
// both renderers leave the same bytes), copy for drop-ins, command (argv,
// no shell) for commands and sysctl -w, debug for manual steps. The
// variable golive_root plays ROOT's part: files are changed under it, and
// tasks that change the running system are skipped unless it is empty.
func Ansible(w io.Writer, in Input) error {
	if err := CheckHostPattern(in.Hosts); err != nil {
		return err
	}
	p := &playbook{}
	for _, f := range in.Fixes {
		p.fix(f)
	}
	p.reboots(in.Fixes)
	play := mapping(
		"name", unsafe(safeText(fmt.Sprintf("golive remediation for %s (profile %s)", in.Host, in.Profile))),
		"hosts", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: in.Hosts, Style: yaml.DoubleQuotedStyle},
		"become", boolean(true),
		"gather_facts", boolean(false),
		"vars", mapping(
			"golive_root", expr(""),
			"golive_distro", unsafe(safeText(in.Guard.Distro)),
			"golive_guard", guardRules(in.Guard),
			"golive_re_id", unsafe(osReleaseLine("ID")),
			"golive_re_id_like", unsafe(osReleaseLine("ID_LIKE")),
			"golive_re_version_id", unsafe(osReleaseLine("VERSION_ID")),
			"golive_re_unquote", unsafe(`^"(.*)"$|^'(.*)'$`),
			"golive_unquote", unsafe(`\1\2`),
			// os-release(5) allows these characters in ID, ID_LIKE and
			// VERSION_ID; dropping the rest keeps an image's os-release
			// from reaching Jinja2 with "{{" in it.
			"golive_re_os_junk", unsafe(`[^A-Za-z0-9._ -]`),
		),
		"tasks", sequence(append(guardTasks(), p.tasks...)...),
	)
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{sequence(play)}}
	doc.HeadComment = ansibleHeader(in)

	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode playbook: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encode playbook: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

type playbook struct{ tasks []*yaml.Node }

func (p *playbook) add(t *yaml.Node) { p.tasks = append(p.tasks, t) }

// onHost is the condition of a task that changes the running system.
const onHost = "golive_root == ''"

// rootPath is a path under golive_root; the path itself is outside text,
// so it reaches the template as an unsafe task variable.
const rootPath = "{{ golive_root }}{{ golive_path }}"

func (p *playbook) fix(f Fix) {
	id := safeText(f.CheckID)
	for _, a := range f.Plan.Actions {
		err := checkAction(a, true)
		if a.Kind == Manual || err != nil {
			p.add(mapping(
				"name", unsafe(id+": MANUAL"),
				"ansible.builtin.debug", mapping("msg", unsafe("MANUAL: "+strings.Join(safeLines(manualText(a, err)), " "))),
			))
			continue
		}
		switch a.Kind {
		case SysctlSet:
			p.fileLine(id, SysctlDropIn, a.Key, a.Key+" = "+a.Value)
			p.sysctlNow(id, a.Key, a.Value)
		case FileLine:
			p.fileLine(id, a.Path, a.Key, a.Line)
		case DropIn:
			p.dropIn(id, a.Path, a.Content)
		case FileMode:
			p.fileMode(id, a)
		case Package:
			p.pkg(id, a)
		case Command:
			p.add(mapping(
				"name", unsafe(safeText(fmt.Sprintf("%s: run %s (%s)", id, strings.Join(a.Argv, " "), a.Why))),
				"ansible.builtin.command", mapping("argv", unsafeList(a.Argv)),
				"when", expr(onHost),
			))
		}
	}
}

// fileLine edits file like golive_file_line: every line that sets key is
// replaced (lineinfile replaces the last one; the script, all of them), or
// line is appended.
func (p *playbook) fileLine(id, file, key, line string) {
	p.add(mapping(
		"name", unsafe(safeText(fmt.Sprintf("%s: set %s in %s", id, key, file))),
		"ansible.builtin.lineinfile", mapping(
			"path", expr(rootPath),
			"regexp", unsafe(keyRegexp(key)),
			"line", unsafe(line),
			"create", boolean(true),
			"backup", boolean(true),
		),
		"vars", mapping("golive_path", unsafe(file)),
	))
}

// keyRegexp matches the lines that set key, by SetsKey's rule.
func keyRegexp(key string) string {
	keys := regexp.QuoteMeta(key)
	if alt := altKey(key); alt != "" {
		keys += "|" + regexp.QuoteMeta(alt)
	}
	return `^[ \t\r]*(?:-[ \t\r]*)?(?:` + keys + `)[ \t\r]*=`
}

// sysctlNow sets a sysctl on the running system when it differs, so that
// a second run reports no change.
func (p *playbook) sysctlNow(id, key, value string) {
	p.add(mapping(
		"name", unsafe(safeText(fmt.Sprintf("%s: read %s now", id, key))),
		"ansible.builtin.command", mapping("argv", unsafeList([]string{"sysctl", "-n", key})),
		"register", expr("golive_sysctl_now"),
		"changed_when", boolean(false),
		"failed_when", boolean(false),
		"when", expr(onHost),
	))
	p.add(mapping(
		"name", unsafe(safeText(fmt.Sprintf("%s: set %s = %s now", id, key, value))),
		"ansible.builtin.command", mapping("argv", unsafeList([]string{"sysctl", "-w", key + "=" + value})),
		"when", expr(onHost+" and golive_sysctl_now.stdout.split() != golive_value.split()"),
		"vars", mapping("golive_value", unsafe(value)),
	))
}

// dropIn writes a whole file golive owns, and its directory.
func (p *playbook) dropIn(id, file, content string) {
	if dir := path.Dir(file); dir != "/" {
		p.add(mapping(
			"name", unsafe(safeText(fmt.Sprintf("%s: directory %s", id, dir))),
			"ansible.builtin.file", mapping("path", expr(rootPath), "state", expr("directory")),
			"vars", mapping("golive_path", unsafe(dir)),
		))
	}
	p.add(mapping(
		"name", unsafe(safeText(fmt.Sprintf("%s: write %s", id, file))),
		"ansible.builtin.copy", mapping(
			"dest", expr(rootPath),
			"content", unsafe(content),
			"backup", boolean(true),
		),
		"vars", mapping("golive_path", unsafe(file)),
	))
}

// fileMode sets what a file-mode action names, like golive_file_mode;
// the file module changes only what differs and creates nothing.
func (p *playbook) fileMode(id string, a Action) {
	args := []any{"path", expr(rootPath)}
	for _, kv := range [][2]string{{"mode", a.Mode}, {"owner", a.Owner}, {"group", a.Group}} {
		if kv[1] != "" {
			args = append(args, kv[0], unsafe(kv[1]))
		}
	}
	p.add(mapping(
		"name", unsafe(safeText(fmt.Sprintf("%s: mode %s owner %s group %s of %s", id, a.Mode, a.Owner, a.Group, a.Path))),
		"ansible.builtin.file", mapping(args...),
		"vars", mapping("golive_path", unsafe(a.Path)),
	))
}

// pkg installs or removes a package with the distro's module: apt and dnf
// (which may downgrade to the version named, as the script's command
// does), and the generic package module for yum, whose own module newer
// ansible-core no longer ships. Like a command, it runs on the host only.
func (p *playbook) pkg(id string, a Action) {
	module, args := "ansible.builtin.package", []any{"name", unsafe(packageSpec(a)), "state", expr(a.State)}
	switch a.Manager {
	case "apt":
		module = "ansible.builtin.apt"
	case "dnf":
		module = "ansible.builtin.dnf"
	}
	if a.Version != "" && module != "ansible.builtin.package" {
		args = append(args, "allow_downgrade", boolean(true))
	}
	p.add(mapping(
		"name", unsafe(safeText(fmt.Sprintf("%s: package %s %s (%s)", id, packageSpec(a), a.State, a.Manager))),
		module, mapping(args...),
		"when", expr(onHost),
	))
}

// reboots lists, last, the fixes that take effect after a reboot.
func (p *playbook) reboots(fixes []Fix) {
	var ids []string
	for _, f := range fixes {
		if f.Plan.Reboot {
			ids = append(ids, safeText(f.CheckID+": "+f.Plan.Summary))
		}
	}
	if len(ids) > 0 {
		p.add(mapping(
			"name", expr("fixes that take effect after a reboot"),
			"ansible.builtin.debug", mapping("msg", unsafeList(ids)),
		))
	}
}

// osReleaseLine finds the value of one os-release variable.
func osReleaseLine(key string) string {
	return `(?m)^[ \t]*` + key + `=(.*?)[ \t\r]*$`
}

// osValue is the Jinja2 expression of one os-release value: the last
// assignment, unquoted, restricted to os-release(5)'s characters, then
// the filters in more.
func osValue(re, more string) string {
	return "{{ golive_os_release.content | b64decode | regex_findall(" + re + ") | last | default('')" +
		" | regex_replace(golive_re_unquote, golive_unquote) | regex_replace(golive_re_os_junk, '')" + more + " }}"
}

// guardRules are the profile's match rules as regular expressions.
func guardRules(g Guard) *yaml.Node {
	rules := sequence()
	re := func(glob string) *yaml.Node {
		if glob == "" {
			return unsafe("")
		}
		return unsafe(globRegexp(glob))
	}
	for _, r := range g.Rules {
		rules.Content = append(rules.Content, mapping("id", re(r.ID), "id_like", re(r.IDLike), "version_id", re(r.VersionID)))
	}
	return rules
}

// guardMatch is GuardRule's rule in Jinja2, for one item of golive_guard.
const guardMatch = "(item.version_id == '' or golive_os_version_id is match(item.version_id))" +
	" and ((item.id != '' and golive_os_id is match(item.id))" +
	" or (item.id == '' and item.id_like != '' and (golive_os_id_like.split() | select('match', item.id_like) | list | length > 0)))"

// guardTasks refuse to change a system whose os-release (under
// golive_root) matches none of the profile's rules.
func guardTasks() []*yaml.Node {
	return []*yaml.Node{
		mapping(
			"name", expr("guard: find os-release"),
			"ansible.builtin.stat", mapping("path", expr("{{ golive_root }}/etc/os-release")),
			"register", expr("golive_os_release_stat"),
		),
		mapping(
			"name", expr("guard: read os-release"),
			"ansible.builtin.slurp", mapping("src", expr("{{ golive_root }}{{ '/etc/os-release' if golive_os_release_stat.stat.exists else '/usr/lib/os-release' }}")),
			"register", expr("golive_os_release"),
		),
		mapping(
			"name", expr("guard: parse os-release"),
			"ansible.builtin.set_fact", mapping(
				// A missing ID is "linux", as os-release(5) says.
				"golive_os_id", expr(osValue("golive_re_id", " | default('linux', true)")),
				"golive_os_id_like", expr(osValue("golive_re_id_like", "")),
				"golive_os_version_id", expr(osValue("golive_re_version_id", "")),
			),
		),
		mapping(
			"name", expr("guard: match the profile's os-release rules"),
			"ansible.builtin.set_fact", mapping("golive_guard_ok", boolean(true)),
			"loop", expr("{{ golive_guard }}"),
			"when", expr(guardMatch),
		),
		mapping(
			"name", expr("guard: refuse a system these fixes are not for"),
			"ansible.builtin.assert", mapping(
				"that", sequence(expr("golive_guard_ok | default(false)")),
				"fail_msg", expr("these fixes are for {{ golive_distro }}, but os-release under '{{ golive_root }}' says ID={{ golive_os_id }} VERSION_ID={{ golive_os_version_id }}: refusing to change it"),
				"quiet", boolean(true),
			),
		),
	}
}

// ansibleHeader is the playbook's opening comment.
func ansibleHeader(in Input) string {
	auto, manual, reboot := Count(in.Fixes, true)
	lines := []string{
		fmt.Sprintf("golive remediation playbook, generated by %s at %s.", in.Tool, stamp(in.GeneratedAt)),
		fmt.Sprintf("Checked: host %s (%s), root %s, profile %s, at %s.", in.Host, in.Distro, in.Root, in.Profile, stamp(in.CheckedAt)),
		"Runs only on: " + guardText(in.Guard) + ".",
		fixesLine(len(in.Fixes), auto, manual, reboot),
	}
	for _, f := range in.Fixes {
		lines = append(lines, fmt.Sprintf("  %s (%s): %s", f.CheckID, f.Status, f.Plan.Summary))
	}
	lines = append(lines,
		"Usage:",
		"  ansible-playbook -i INVENTORY fix.yaml              fix the inventory's hosts that match "+in.Hosts,
		"  ansible-playbook -i localhost, -c local -e golive_root=/mnt/image fix.yaml",
		"                                                      fix the image mounted at /mnt/image",
		"                                                      (files only; tasks for the running system are skipped;",
		"                                                      write the playbook with golive remediate --hosts localhost)",
		"  add --check --diff to see what would change",
	)
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.TrimRight("# "+safeText(l), " "))
	}
	return b.String()
}
