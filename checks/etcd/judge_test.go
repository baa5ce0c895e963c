package etcd

import (
	"errors"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

func status(member, leader, term uint64, db, quota int64, errs ...string) *statusResponse {
	return &statusResponse{Header: responseHeader{ClusterID: 1, MemberID: member}, Version: "3.7.3",
		Leader: leader, RaftTerm: term, DbSize: db, DbSizeQuota: quota, Errors: errs}
}

func TestEndpointJudgement(t *testing.T) {
	const MiB = 1 << 20
	h := hosttest.Root(t, nil)
	cases := []struct {
		name   string
		quota  int64 // quota_bytes in the profile; 0 for none
		st     *statusResponse
		status engine.Status
		words  []string
	}{
		{"healthy, the server's quota", 0, status(1, 1, 2, 10*MiB, 100*MiB), engine.Pass, []string{"10% of the quota (the quota the server reports)"}},
		{"80% of the quota warns", 0, status(1, 1, 2, 80*MiB, 100*MiB), engine.Warn, []string{"uses 80% of the backend quota", "NOSPACE"}},
		{"a full quota fails", 0, status(1, 1, 2, 100*MiB, 100*MiB), engine.Fail, []string{"has reached the backend quota"}},
		{"the profile's quota wins", 90 * MiB, status(1, 1, 2, 80*MiB, 1000*MiB), engine.Warn, []string{"89%", "quota_bytes in the profile"}},
		{"an old server: etcd's default 2 GiB", 0, status(1, 1, 2, 1700*MiB, 0), engine.Warn, []string{"etcd's default 2 GiB"}},
		{"no leader", 0, status(1, 0, 2, MiB, 100*MiB, "etcdserver: no leader"), engine.Fail, []string{"knows no leader"}},
		{"an alarm in Status", 0, status(1, 1, 2, MiB, 100*MiB, "memberID:1 alarm:NOSPACE "), engine.Fail, []string{"alarm:NOSPACE"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := &settings{endpoints: []string{"https://10.0.0.1:2379"}, members: 3, quota: tc.quota}
			c := &endpointCheck{set: set, url: set.endpoints[0]}
			res := c.judge(engine.Result{Details: map[string]any{}}, h, &session{set: set}, &reach{URL: c.url, Status: tc.st})
			if res.Status != tc.status {
				t.Errorf("status %s, want %s: %s", res.Status, tc.status, res.Message)
			}
			for _, w := range tc.words {
				if !strings.Contains(res.Message, w) {
					t.Errorf("message lacks %q: %s", w, res.Message)
				}
			}
		})
	}
	learner := status(1, 2, 2, MiB, 100*MiB)
	learner.IsLearner = true
	set := &settings{endpoints: []string{"https://10.0.0.1:2379"}, members: 3}
	res := (&endpointCheck{set: set, url: set.endpoints[0]}).judge(engine.Result{Details: map[string]any{}}, h, &session{set: set}, &reach{Status: learner})
	if res.Status != engine.Warn || !strings.Contains(res.Message, "learner") {
		t.Errorf("learner: %s %s", res.Status, res.Message)
	}
}

// survey of members 1..n, each answering with st(i).
func fakeSurvey(n int, st func(i uint64) *statusResponse) *survey {
	s := &survey{memberURLs: map[uint64][]*reach{}, alarmsOK: true, listFrom: "https://m1:2379"}
	for i := uint64(1); i <= uint64(n); i++ {
		u := "https://m" + string(rune('0'+i)) + ":2379"
		m := &member{ID: i, Name: "etcd-" + string(rune('0'+i)), ClientURLs: []string{u}}
		s.members = append(s.members, m)
		r := &reach{URL: u, Status: st(i)}
		s.memberURLs[i] = []*reach{r}
		s.endpoints = append(s.endpoints, r)
	}
	for _, r := range s.endpoints {
		r.Members = &memberListResponse{Members: s.members}
	}
	return s
}

func TestClusterJudgement(t *testing.T) {
	healthy := func(i uint64) *statusResponse { return status(i, 1, 5, 1, 100) }
	cases := []struct {
		name   string
		s      *survey
		status engine.Status
		words  []string
	}{
		{"healthy", fakeSurvey(3, healthy), engine.Pass, nil},
		{"even count", fakeSurvey(4, healthy), engine.Fail, []string{"4 voting members", "expected 3", "even number"}},
		{"two leaders", fakeSurvey(3, func(i uint64) *statusResponse { return status(i, min(i, 2), 5, 1, 100) }), engine.Fail, []string{"2 different leaders"}},
		{"terms differ", fakeSurvey(3, func(i uint64) *statusResponse { return status(i, 1, 4+i/3, 1, 100) }), engine.Fail, []string{"raft terms differ", "term 4", "term 5"}},
		{"a member without a leader", fakeSurvey(3, func(i uint64) *statusResponse { return status(i, 1-i/3, 5, 1, 100) }), engine.Fail, []string{"no leader as seen by etcd-3"}},
	}
	corrupt := fakeSurvey(3, healthy)
	corrupt.alarms = []*alarmMember{{MemberID: 2, Alarm: alarmCorrupt}}
	cases = append(cases, struct {
		name   string
		s      *survey
		status engine.Status
		words  []string
	}{"CORRUPT alarm", corrupt, engine.Fail, []string{"alarm CORRUPT on etcd-2"}})
	split := fakeSurvey(3, healthy)
	split.endpoints[2].Members = &memberListResponse{Members: split.members[:2]}
	cases = append(cases, struct {
		name   string
		s      *survey
		status engine.Status
		words  []string
	}{"membership disagrees", split, engine.Fail, []string{"disagree on the membership"}})

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &clusterCheck{set: &settings{endpoints: []string{"https://m1:2379"}, members: 3}}
			var v verdict
			d := map[string]any{}
			c.judgeEndpoints(&v, tc.s)
			c.judgeMembership(&v, tc.s)
			c.judgeReachability(&v, tc.s, d)
			c.judgeLeader(&v, tc.s, d)
			c.judgeAlarms(&v, tc.s, d)
			res := engine.Result{}
			v.apply(&res, "pass")
			if res.Status != tc.status {
				t.Errorf("status %s, want %s: %s", res.Status, tc.status, res.Message)
			}
			for _, w := range tc.words {
				if !strings.Contains(res.Message, w) {
					t.Errorf("message lacks %q: %s", w, res.Message)
				}
			}
		})
	}
}

func TestMinor(t *testing.T) {
	for in, want := range map[string]string{"3.7.3": "3.7", "3.6.0-rc.1": "3.6", "3": "3", "": ""} {
		if got := minor(in); got != want {
			t.Errorf("minor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVersionJudgement(t *testing.T) {
	versions := func(vs ...string) *survey {
		return fakeSurvey(len(vs), func(i uint64) *statusResponse {
			st := status(i, 1, 5, 1, 100)
			st.Version = vs[i-1]
			return st
		})
	}
	c := &versionCheck{set: &settings{endpoints: []string{"https://m1:2379"}, members: 3}}
	cases := []struct {
		name   string
		s      *survey
		status engine.Status
		words  []string
	}{
		{"same minor, patches differ", versions("3.7.3", "3.7.3", "3.7.2"), engine.Pass, []string{"all 3 members reached run etcd 3.7"}},
		{"mixed minors", versions("3.6.5", "3.7.3", "3.7.3"), engine.Warn, []string{"different minor versions", "etcd-1 (1) 3.6.5", "3.7"}},
	}
	down := versions("3.7.3", "3.7.3", "3.7.3")
	down.memberURLs[3][0] = &reach{URL: "https://m3:2379", Fail: &depcheck.Failure{Cause: depcheck.CauseRefused, Message: "connection refused"}}
	cases = append(cases, struct {
		name   string
		s      *survey
		status engine.Status
		words  []string
	}{"a member not reached", down, engine.Pass, []string{"etcd-3 (3) not reached"}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := c.judge(engine.Result{Details: map[string]any{}}, tc.s)
			if res.Status != tc.status {
				t.Errorf("status %s, want %s: %s", res.Status, tc.status, res.Message)
			}
			for _, w := range tc.words {
				if !strings.Contains(res.Message, w) {
					t.Errorf("message lacks %q: %s", w, res.Message)
				}
			}
		})
	}
	none := &survey{members: versions("3.7.3").members, memberURLs: map[uint64][]*reach{1: {{URL: "https://m1:2379", Fail: &depcheck.Failure{Cause: depcheck.CauseTimeout, Message: "x"}}}}}
	none.endpoints = none.memberURLs[1]
	res := c.judge(engine.Result{Details: map[string]any{}}, none)
	if res.Status != engine.Error || res.Details["cause"] != depcheck.CauseTimeout {
		t.Errorf("nothing reached: %s %v %s", res.Status, res.Details["cause"], res.Message)
	}
}

// TestFailureTextsAreScrubbed: whatever a server or library puts in an
// error, the password leaves a check as ***.
func TestFailureTextsAreScrubbed(t *testing.T) {
	ss := &session{set: &settings{}, password: "pw-Zq81"}
	f := ss.classify(t.Context(), errors.New("etcdserver: user root with password pw-Zq81 rejected"))
	if strings.Contains(f.Message, "pw-Zq81") || !strings.Contains(f.Message, "***") {
		t.Errorf("not scrubbed: %s", f.Message)
	}
}
