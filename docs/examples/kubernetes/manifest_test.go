// Package kubernetes_test reads the example manifest, daemonset.yaml, as
// the API server would see it and holds it to what the README promises: a
// read-only view of the node's root, a textfile for node_exporter, and a
// container with no more privilege than reading needs.
package kubernetes_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The parts of the Kubernetes API the manifest uses. Decoding is strict
// (KnownFields), so a misspelt field fails here as kubectl would reject it.
type object struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   meta              `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	Spec       *daemonSetSpec    `yaml:"spec"`
}

type meta struct {
	Name      string            `yaml:"name"`
	Namespace string            `yaml:"namespace"`
	Labels    map[string]string `yaml:"labels"`
}

type daemonSetSpec struct {
	Selector struct {
		MatchLabels map[string]string `yaml:"matchLabels"`
	} `yaml:"selector"`
	UpdateStrategy struct {
		Type          string `yaml:"type"`
		RollingUpdate struct {
			MaxUnavailable string `yaml:"maxUnavailable"`
		} `yaml:"rollingUpdate"`
	} `yaml:"updateStrategy"`
	Template struct {
		Metadata meta    `yaml:"metadata"`
		Spec     podSpec `yaml:"spec"`
	} `yaml:"template"`
}

type podSpec struct {
	HostNetwork                   bool   `yaml:"hostNetwork"`
	DNSPolicy                     string `yaml:"dnsPolicy"`
	AutomountServiceAccountToken  *bool  `yaml:"automountServiceAccountToken"`
	EnableServiceLinks            *bool  `yaml:"enableServiceLinks"`
	TerminationGracePeriodSeconds int    `yaml:"terminationGracePeriodSeconds"`
	Tolerations                   []struct {
		Key      string `yaml:"key"`
		Operator string `yaml:"operator"`
		Effect   string `yaml:"effect"`
	} `yaml:"tolerations"`
	Containers []container `yaml:"containers"`
	Volumes    []volume    `yaml:"volumes"`
}

type container struct {
	Name            string   `yaml:"name"`
	Image           string   `yaml:"image"`
	ImagePullPolicy string   `yaml:"imagePullPolicy"`
	Command         []string `yaml:"command"`
	Args            []string `yaml:"args"`
	Env             []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	SecurityContext struct {
		RunAsUser                *int  `yaml:"runAsUser"`
		RunAsGroup               *int  `yaml:"runAsGroup"`
		RunAsNonRoot             *bool `yaml:"runAsNonRoot"`
		Privileged               *bool `yaml:"privileged"`
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		Capabilities             struct {
			Drop []string `yaml:"drop"`
			Add  []string `yaml:"add"`
		} `yaml:"capabilities"`
		SELinuxOptions struct {
			Type string `yaml:"type"`
		} `yaml:"seLinuxOptions"`
		SeccompProfile struct {
			Type string `yaml:"type"`
		} `yaml:"seccompProfile"`
	} `yaml:"securityContext"`
	Resources struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	VolumeMounts []struct {
		Name             string `yaml:"name"`
		MountPath        string `yaml:"mountPath"`
		ReadOnly         bool   `yaml:"readOnly"`
		MountPropagation string `yaml:"mountPropagation"`
	} `yaml:"volumeMounts"`
}

type volume struct {
	Name     string `yaml:"name"`
	HostPath *struct {
		Path string `yaml:"path"`
		Type string `yaml:"type"`
	} `yaml:"hostPath"`
	ConfigMap *struct {
		Name string `yaml:"name"`
	} `yaml:"configMap"`
}

// manifest decodes every document of daemonset.yaml.
func manifest(t *testing.T) (ds object, cm object) {
	t.Helper()
	data, err := os.ReadFile("daemonset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("daemonset.yaml: %v", err)
		}
		switch o.APIVersion + " " + o.Kind {
		case "apps/v1 DaemonSet":
			ds = o
		case "v1 ConfigMap":
			cm = o
		default:
			t.Fatalf("daemonset.yaml: unexpected %s %s", o.APIVersion, o.Kind)
		}
	}
	if ds.Spec == nil {
		t.Fatal("daemonset.yaml has no apps/v1 DaemonSet")
	}
	return ds, cm
}

// golive is the DaemonSet's one container.
func golive(t *testing.T, ds object) container {
	t.Helper()
	cs := ds.Spec.Template.Spec.Containers
	if len(cs) != 1 {
		t.Fatalf("%d containers, want 1", len(cs))
	}
	return cs[0]
}

// script is the container's shell loop: command is sh -c, args its script.
func script(t *testing.T, c container) string {
	t.Helper()
	if strings.Join(c.Command, " ") != "/bin/sh -c" || len(c.Args) != 1 {
		t.Fatalf("command %q args %q: want /bin/sh -c SCRIPT", c.Command, c.Args)
	}
	return c.Args[0]
}

// mount is where a volume is mounted in the container, with the volume.
func mount(t *testing.T, ds object, c container, path string) (readOnly bool, propagation string, v volume) {
	t.Helper()
	for _, m := range c.VolumeMounts {
		if m.MountPath != path {
			continue
		}
		for _, v := range ds.Spec.Template.Spec.Volumes {
			if v.Name == m.Name {
				return m.ReadOnly, m.MountPropagation, v
			}
		}
		t.Fatalf("mount %s names volume %q, which does not exist", path, m.Name)
	}
	t.Fatalf("nothing is mounted at %s", path)
	return false, "", volume{}
}

func TestDaemonSetRunsOnEveryNode(t *testing.T) {
	ds, _ := manifest(t)
	if ds.Metadata.Name != "golive" || ds.Metadata.Namespace != "monitoring" {
		t.Errorf("DaemonSet %s/%s, want monitoring/golive", ds.Metadata.Namespace, ds.Metadata.Name)
	}
	sel := ds.Spec.Selector.MatchLabels
	if len(sel) == 0 {
		t.Fatal("the selector matches no labels")
	}
	for k, v := range sel {
		if ds.Spec.Template.Metadata.Labels[k] != v {
			t.Errorf("selector %s=%s does not match the pod template's labels %v", k, v, ds.Spec.Template.Metadata.Labels)
		}
	}
	tolerateAll := false
	for _, tol := range ds.Spec.Template.Spec.Tolerations {
		if tol.Operator == "Exists" && tol.Key == "" && tol.Effect == "" {
			tolerateAll = true
		}
	}
	if !tolerateAll {
		t.Error("no toleration of every taint: tainted nodes would go unchecked")
	}
	if !ds.Spec.Template.Spec.HostNetwork {
		t.Error("not in the node's network namespace: net.* sysctls would be the pod's")
	}
	if sa := ds.Spec.Template.Spec.AutomountServiceAccountToken; sa == nil || *sa {
		t.Error("the pod gets an API token it has no use for")
	}
}

func TestHostRootIsMountedReadOnly(t *testing.T) {
	ds, _ := manifest(t)
	c := golive(t, ds)
	readOnly, propagation, v := mount(t, ds, c, "/host")
	if v.HostPath == nil || v.HostPath.Path != "/" {
		t.Fatalf("/host is volume %+v, want hostPath /", v)
	}
	if !readOnly {
		t.Error("the node's root is mounted writable")
	}
	if propagation != "HostToContainer" {
		t.Errorf("/host propagation %q: mounts made on the node after the pod started would be invisible", propagation)
	}
}

func TestCheckWritesATextfileForNodeExporter(t *testing.T) {
	ds, _ := manifest(t)
	c := golive(t, ds)
	run := goliveCommand(t, script(t, c))
	for _, want := range []string{"--root /host", "--format prom", "--output /textfile/golive.prom", "--fail-on none"} {
		if !strings.Contains(strings.Join(run, " "), want) {
			t.Errorf("golive runs as %q: missing %s", run, want)
		}
	}
	readOnly, _, v := mount(t, ds, c, "/textfile")
	if readOnly || v.HostPath == nil || !strings.Contains(v.HostPath.Path, "textfile") {
		t.Errorf("/textfile is %+v (read-only %v): want node_exporter's textfile directory, writable", v, readOnly)
	}
	_, _, cfg := mount(t, ds, c, "/etc/golive")
	if cfg.ConfigMap == nil || cfg.ConfigMap.Name != "golive-config" {
		t.Errorf("/etc/golive is %+v, want the golive-config ConfigMap", cfg)
	}
	interval := false
	for _, e := range c.Env {
		interval = interval || (e.Name == "CHECK_INTERVAL" && e.Value != "")
		if strings.HasPrefix(e.Name, "GOLIVE_") {
			t.Errorf("env %s: GOLIVE_* variables are golive's own settings; say it in the command line", e.Name)
		}
	}
	if !interval || !strings.Contains(script(t, c), `sleep "$CHECK_INTERVAL"`) {
		t.Error("the loop does not sleep CHECK_INTERVAL between runs")
	}
}

func TestContainerHasOnlyTheRightsReadingNeeds(t *testing.T) {
	ds, _ := manifest(t)
	sc := golive(t, ds).SecurityContext
	isTrue := func(b *bool) bool { return b != nil && *b }
	isFalse := func(b *bool) bool { return b != nil && !*b }
	if !isTrue(sc.ReadOnlyRootFilesystem) {
		t.Error("readOnlyRootFilesystem is not true")
	}
	if !isFalse(sc.AllowPrivilegeEscalation) || !isFalse(sc.Privileged) {
		t.Error("allowPrivilegeEscalation and privileged must be false")
	}
	if strings.Join(sc.Capabilities.Drop, ",") != "ALL" || strings.Join(sc.Capabilities.Add, ",") != "DAC_READ_SEARCH" {
		t.Errorf("capabilities drop %v add %v: want all dropped, DAC_READ_SEARCH (read-only) added", sc.Capabilities.Drop, sc.Capabilities.Add)
	}
	if sc.RunAsUser == nil || *sc.RunAsUser != 0 || !isFalse(sc.RunAsNonRoot) {
		t.Error("golive must run as root to read root-only files; say so explicitly")
	}
	if sc.SeccompProfile.Type != "RuntimeDefault" {
		t.Errorf("seccomp profile %q", sc.SeccompProfile.Type)
	}
	res := golive(t, ds).Resources
	for _, r := range []string{"cpu", "memory"} {
		if res.Requests[r] == "" || res.Limits[r] == "" {
			t.Errorf("%s: request %q limit %q; both must be set", r, res.Requests[r], res.Limits[r])
		}
	}
}
