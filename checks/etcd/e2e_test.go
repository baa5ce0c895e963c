package etcd_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/checks/etcd"
	"github.com/golive-sh/golive/checks/etcd/etcdtest"
	"github.com/golive-sh/golive/internal/cli"
)

// passwordEnv is where the end-to-end profile takes root's password from.
const passwordEnv = "APP_ETCD_PASSWORD"

// golive runs `golive check` on the cluster's root with the config, never
// offline, only the etcd checks.
func golive(t *testing.T, c *etcdtest.Cluster, config, format string) (int, string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "golive.yaml")
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := cli.Execute([]string{"check", "--profile", "linux", "--root", c.Root, "--config", path,
		"--offline=false", "--only", "etcd/*", "--check-timeout", "10s", "--format", format},
		cli.IO{Out: &out, Err: &errOut, Getenv: func(string) string { return "" }})
	return code, out.String(), errOut.String()
}

type jsonReport struct {
	Checks []struct {
		ID      string         `json:"id"`
		Status  string         `json:"status"`
		Message string         `json:"message"`
		Details map[string]any `json:"details"`
	} `json:"checks"`
}

func parse(t *testing.T, out string) map[string]string {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := map[string]string{}
	for _, c := range r.Checks {
		cause, _ := c.Details["cause"].(string)
		got[c.ID] = c.Status + " " + cause + " " + c.Message
	}
	return got
}

// TestGoliveCheckPassesAndNeverPrintsThePassword: every report format of
// a passing run, and of a run where authentication fails, is free of the
// password.
func TestGoliveCheckPassesAndNeverPrintsThePassword(t *testing.T) {
	c := etcd.SharedCluster(t)
	t.Setenv(passwordEnv, etcd.TestPassword)
	good := etcd.SectionFor(c, "  username: root\n  password_env: "+passwordEnv+"\n")
	wrong := etcd.SectionFor(c, "  username: root\n  password_file: /"+etcdtest.WrongPasswordFile+"\n")
	formats := cli.ReportFormats()
	if len(formats) < 2 {
		t.Fatalf("report formats: %v", formats)
	}
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			code, out, errOut := golive(t, c, good, format)
			if code != cli.ExitReady {
				t.Errorf("exit %d, want %d\n%s\n%s", code, cli.ExitReady, out, errOut)
			}
			if !strings.Contains(out, "etcd/cluster") || !strings.Contains(out, "etcd/version") {
				t.Errorf("the report lacks the etcd checks:\n%s", out)
			}
			for _, u := range c.ClientURLs() {
				if !strings.Contains(out, u) {
					t.Errorf("the report lacks etcd/endpoint:%s", u)
				}
			}
			_, badOut, badErr := golive(t, c, wrong, format)
			for _, s := range []string{out, errOut, badOut, badErr} {
				if strings.Contains(s, etcd.TestPassword) {
					t.Fatalf("format %s printed the password", format)
				}
			}
		})
	}
	code, out, _ := golive(t, c, good, "json")
	for id, v := range parse(t, out) {
		if !strings.HasPrefix(v, "pass") {
			t.Errorf("%s: %s (exit %d)", id, v, code)
		}
	}
	code, out, _ = golive(t, c, wrong, "json")
	if code != 1 {
		t.Errorf("wrong password: exit %d, want 1", code)
	}
	if v := parse(t, out)["etcd/endpoint:"+c.Members[0].ClientURL]; !strings.HasPrefix(v, "fail auth ") {
		t.Errorf("wrong password: %s", v)
	}
}

func TestGoliveCheckWrongCAIsTLS(t *testing.T) {
	c := etcd.SharedCluster(t)
	code, out, _ := golive(t, c, etcd.SectionFor(c, "  ca_file: /"+etcdtest.StrangerCAFile+"\n"), "json")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	got := parse(t, out)
	for _, u := range c.ClientURLs() {
		if v := got["etcd/endpoint:"+u]; !strings.HasPrefix(v, "fail tls ") {
			t.Errorf("%s: %s", u, v)
		}
	}
	if v := got["etcd/cluster"]; !strings.HasPrefix(v, "fail tls ") {
		t.Errorf("etcd/cluster: %s", v)
	}
}

func TestGoliveCheckInlinePasswordIsAProfileError(t *testing.T) {
	c := etcd.SharedCluster(t)
	config := "etcd:\n  endpoints: [" + c.Members[0].ClientURL + "]\n  username: root\n  password: " + etcd.TestPassword + "\n"
	code, out, errOut := golive(t, c, config, "table")
	if code != cli.ExitInvalid {
		t.Errorf("exit %d, want %d", code, cli.ExitInvalid)
	}
	if !strings.Contains(errOut, "golive.yaml:4:") || !strings.Contains(errOut, "password_env") {
		t.Errorf("stderr should place the error at golive.yaml:4: %s", errOut)
	}
	if strings.Contains(out+errOut, etcd.TestPassword) {
		t.Error("the inline password was printed")
	}
}

func TestGoliveCheckNamesAStoppedMember(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{Members: 3})
	defer c.Close()
	c.Stop(1)
	code, out, _ := golive(t, c, etcd.SectionFor(c, ""), "json")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	v := parse(t, out)["etcd/cluster"]
	if !strings.HasPrefix(v, "fail refused ") || !strings.Contains(v, "member etcd-2") {
		t.Errorf("etcd/cluster: %s", v)
	}
}
