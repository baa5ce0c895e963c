package etcd

import (
	"strings"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"

	"github.com/golive-sh/golive/checks/etcd/etcdtest"
	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/engine"
)

func TestAlarmIsReported(t *testing.T) {
	c := sharedCluster(t)
	c.RaiseAlarm(t, 1, pb.AlarmType_NOSPACE)
	defer c.DisarmAlarm(t, 1, pb.AlarmType_NOSPACE)
	res := runChecks(t, c, profileFor(t, c, ""), 10*time.Second)
	r := res["etcd/cluster"]
	want(t, r, engine.Fail, "", "alarm NOSPACE on etcd-2")
	if !hasStep(r, "alarm disarm") || !hasStep(r, "defrag") || !hasStep(r, "compact") {
		t.Errorf("NOSPACE remediation: %+v", r.Remediation)
	}
	// Every member reports the cluster's alarms in its Status.
	want(t, res[endpointID(c.Members[0].ClientURL)], engine.Fail, "", "NOSPACE")
}

// TestStoppedMemberIsNamed runs on its own cluster: it stops a member.
func TestStoppedMemberIsNamed(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{Members: 3})
	defer c.Close()
	c.Stop(2)
	res := runChecks(t, c, profileFor(t, c, ""), 10*time.Second)
	r := res["etcd/cluster"]
	want(t, r, engine.Fail, depcheck.CauseRefused, "member etcd-3", "does not answer at "+c.Members[2].ClientURL)
	down, _ := r.Details["unreachable"].([]map[string]any)
	if len(down) != 1 || down[0]["member"] != "etcd-3" {
		t.Errorf("unreachable: %v", r.Details["unreachable"])
	}
	want(t, res[endpointID(c.Members[2].ClientURL)], engine.Fail, depcheck.CauseRefused)
	want(t, res[endpointID(c.Members[0].ClientURL)], engine.Pass, "")
	// The two members left still agree on one version.
	want(t, res["etcd/version"], engine.Pass, "", "etcd-3", "not reached")
}

func TestMemberCountExpectation(t *testing.T) {
	c := sharedCluster(t)
	res := runChecks(t, c, profileFor(t, c, "  members: 5\n"), 10*time.Second)
	want(t, res["etcd/cluster"], engine.Fail, "", "3 voting members", "expected 5")
	if !hasStep(res["etcd/cluster"], "member add") {
		t.Errorf("remediation: %+v", res["etcd/cluster"].Remediation)
	}
}

func hasStep(r engine.Result, words string) bool {
	if r.Remediation == nil {
		return false
	}
	for _, a := range r.Remediation.Actions {
		if a.Kind == "manual" && strings.Contains(a.Text, words) {
			return true
		}
	}
	return false
}
