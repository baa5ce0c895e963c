package account

import (
	"context"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

func buildBoth(t testing.TB, yaml string) ([]engine.Check, error) {
	p, err := profiletest.ResolveErr(t, "p.yaml", yaml)
	if err != nil {
		return nil, err
	}
	users, err := buildUsers(p.Section(kindUser), p)
	if err != nil {
		return nil, err
	}
	groups, err := buildGroups(p.Section(kindGroup), p)
	return append(users, groups...), err
}

func TestBuildErrorsNameFileAndLine(t *testing.T) {
	cases := map[string]string{
		"user:\n  \"a b\": {}\n":                          "not an account name",
		"user:\n  \"-rf\": {}\n":                          "not an account name",
		"user:\n  \"1000\": {}\n":                         "not an account name",
		"user:\n  app: {uid: -1}\n":                       "not an id",
		"user:\n  app: {uid: 4294967295}\n":               "not an id",
		"user:\n  app: {exists: false, shell: /bin/sh}\n": "exists: false allows no other aspect",
		"user:\n  app: {home: relative}\n":                "not an absolute path",
		"user:\n  app: {shell: \"/bin/a:b\"}\n":           "without a colon",
		"user:\n  app: {groups: [\"a,b\"]}\n":             "not a group name",
		"user:\n  app: {gid: \"x y\"}\n":                  "not a group name",
		"user:\n  app: {colour: red}\n":                   "colour",
		"user:\n  app: {severity: urgent}\n":              "not one of critical",
		"user:\n  app: 1000\n":                            "expected a mapping",
		"user: [app]\n":                                   "expected a mapping",
		"group:\n  app: {gid: x}\n":                       "not an id",
		"group:\n  app: {members: [\"a:b\"]}\n":           "not a user name",
		"group:\n  app: {exists: false, gid: 5}\n":        "exists: false allows no other aspect",
	}
	for yaml, wantErr := range cases {
		_, err := buildBoth(t, yaml)
		if err == nil || !strings.Contains(err.Error(), wantErr) || !strings.Contains(err.Error(), "p.yaml:") {
			t.Errorf("%q: %v, want an error with %q and the file", yaml, err, wantErr)
		}
	}
}

func TestVerdictsAndRemediation(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/passwd":        "root:x:0:0::/root:/bin/bash\napp:x:1000:1000::/opt/app:/bin/bash\ntelnet:x:23:23::/:/sbin/nologin\n",
		"etc/group":         "root:x:0:\napp:x:1000:\nwheel:x:10:app,bob\n#docker:x:999:app\n",
		"etc/nsswitch.conf": "passwd: files ldap\ngroup: files\n",
	})
	checks, err := buildBoth(t, `user:
  app: {uid: 1000, gid: app, home: /opt/app, shell: /sbin/nologin, groups: [app, wheel]}
  telnet: {exists: false}
  svc: {uid: 1001, shell: /sbin/nologin, groups: [app]}
group:
  wheel: {gid: 10, members: [app]}
  ops: {gid: 2000}
  app: {members: []}
`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]engine.Result{}
	for _, c := range checks {
		got[c.ID()] = c.Run(context.Background(), h)
	}
	for id, want := range map[string]engine.Status{
		"user/exists:app":     engine.Pass,
		"user/uid:app":        engine.Pass,
		"user/gid:app":        engine.Pass,
		"user/home:app":       engine.Pass,
		"user/shell:app":      engine.Fail,
		"user/groups:app":     engine.Fail, // the commented docker line counts for initgroups (gid 999)
		"user/exists:telnet":  engine.Fail,
		"user/exists:svc":     engine.Error, // not in the files, and nsswitch names ldap
		"user/uid:svc":        engine.Skip,
		"group/exists:wheel":  engine.Pass,
		"group/gid:wheel":     engine.Pass,
		"group/members:wheel": engine.Fail,
		"group/exists:ops":    engine.Fail,
		"group/members:app":   engine.Pass,
	} {
		if r := got[id]; r.Status != want {
			t.Errorf("%s: %s %q (observed %q), want %s", id, r.Status, r.Message, r.Observed, want)
		}
	}
	argv := func(id string) string {
		p := got[id].Remediation
		if p == nil || len(p.Actions) == 0 {
			return ""
		}
		if p.Actions[0].Argv == nil {
			return "manual: " + p.Actions[0].Text
		}
		return strings.Join(p.Actions[0].Argv, " ")
	}
	for id, want := range map[string]string{
		"user/shell:app":      "usermod --shell /sbin/nologin app",
		"user/groups:app":     "usermod --groups wheel app",
		"group/members:wheel": "gpasswd --members app wheel",
		"group/exists:ops":    "groupadd --gid 2000 ops",
	} {
		if got := argv(id); got != want {
			t.Errorf("%s: fix %q, want %q", id, got, want)
		}
	}
	if got := argv("user/exists:telnet"); !strings.HasPrefix(got, "manual: ") || !strings.Contains(got, "never deletes") {
		t.Errorf("telnet: %q, want a manual step", got)
	}
	// getgrgid skips the comment line: gid 999 has no name, as id -Gn prints it.
	if m := got["user/groups:app"].Message; !strings.Contains(m, "also in 999") {
		t.Errorf("groups message %q", m)
	}
	if m := got["user/exists:svc"].Message; !strings.Contains(m, "ldap") || !strings.Contains(m, "files only") {
		t.Errorf("svc message %q", m)
	}
}

func TestUserAddFromProfile(t *testing.T) {
	h := hosttest.Root(t, map[string]string{"etc/passwd": "root:x:0:0::/root:/bin/bash\n", "etc/group": "root:x:0:\n"})
	checks, err := buildBoth(t, "user:\n  app: {uid: 1001, gid: app, home: /opt/app, shell: /sbin/nologin, groups: [app, wheel]}\n")
	if err != nil {
		t.Fatal(err)
	}
	r := checks[0].Run(context.Background(), h)
	want := "useradd --uid 1001 --gid app --home-dir /opt/app --shell /sbin/nologin --groups wheel app"
	if r.Status != engine.Fail || r.Remediation == nil || strings.Join(r.Remediation.Actions[0].Argv, " ") != want {
		t.Errorf("%s %+v, want %q", r.Status, r.Remediation, want)
	}
}

func TestExplain(t *testing.T) {
	for _, a := range userAspects {
		if m, ok := explainUser("user/" + a + ":app"); !ok || m.Title == "" || m.Fix == "" {
			t.Errorf("user/%s: %+v", a, m)
		}
	}
	for _, a := range groupAspects {
		if m, ok := explainGroup("group/" + a + ":app"); !ok || m.Title == "" || m.Fix == "" {
			t.Errorf("group/%s: %+v", a, m)
		}
	}
	for _, id := range []string{"user/members:app", "group/shell:app", "user/uid:a b", "user/uid"} {
		if _, ok := explainUser(id); ok {
			t.Errorf("%s explained", id)
		}
		if _, ok := explainGroup(id); ok {
			t.Errorf("%s explained", id)
		}
	}
}
