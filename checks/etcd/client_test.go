package etcd

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/golive-sh/golive/checks/etcd/etcdtest"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

// openSession is the session a check on c would open with the profile
// sectionFor(c, extra).
func openSession(t *testing.T, c *etcdtest.Cluster, extra string) *session {
	t.Helper()
	p := profileFor(t, c, extra)
	set, err := parseSection(p, p.Section(Kind))
	if err != nil {
		t.Fatal(err)
	}
	h, err := host.New(c.Root)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := set.open(h)
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

func connectTo(t *testing.T, ss *session, u string) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	cli, err := ss.connect(ctx, u)
	if err != nil {
		t.Fatalf("connect %s: %v", u, err)
	}
	t.Cleanup(cli.close)
	return cli
}

// What golive's client reads over TLS, with a client certificate and a
// password, is what etcd's own client reads from the same members: every
// field of Status, the member list and the alarms.
func TestClientAgreesWithEtcdsClient(t *testing.T) {
	c := sharedCluster(t)
	c.RaiseAlarm(t, 0, pb.AlarmType_NOSPACE)
	defer c.DisarmAlarm(t, 0, pb.AlarmType_NOSPACE)
	ref := c.Client(t)
	defer ref.Close()
	ss := openSession(t, c, "")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var alarmed string // the alarm raised, as every member lists it
	for _, u := range c.ClientURLs() {
		cli := connectTo(t, ss, u)
		if cli.token == "" {
			t.Fatalf("%s: no auth token after connect", u)
		}
		st, err := cli.status(ctx)
		if err != nil {
			t.Fatalf("%s: Status: %v", u, err)
		}
		want, err := ref.Status(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		got := [...]any{st.Header.ClusterID, st.Header.MemberID, st.Version, st.Leader, st.RaftTerm, st.IsLearner, st.DbSizeQuota, st.DbSize, st.Errors}
		exp := [...]any{want.Header.ClusterId, want.Header.MemberId, want.Version, want.Leader, want.RaftTerm, want.IsLearner, want.DbSizeQuota, want.DbSize, want.Errors}
		for i := range got {
			if !equalAny(got[i], exp[i]) {
				t.Errorf("%s: Status field %d: got %v, etcd's client %v", u, i, got[i], exp[i])
			}
		}
		if st.RaftIndex == 0 || st.RaftAppliedIndex == 0 || st.DbSizeInUse == 0 {
			t.Errorf("%s: Status lacks indexes or sizes: %+v", u, st)
		}

		ml, err := cli.memberList(ctx)
		if err != nil {
			t.Fatalf("%s: MemberList: %v", u, err)
		}
		wantML, err := ref.MemberList(ctx, clientv3.WithSerializable())
		if err != nil {
			t.Fatal(err)
		}
		if a, b := describeMembers(ml.Members), describeRefMembers(wantML.Members); !slices.Equal(a, b) || len(a) != 3 {
			t.Errorf("%s: members\n got %q\nwant %q", u, a, b)
		}

		al, err := cli.alarms(ctx)
		if err != nil {
			t.Fatalf("%s: Alarm: %v", u, err)
		}
		wantAl, err := ref.AlarmList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var a, b []string
		for _, x := range al.Alarms {
			a = append(a, memberID(x.MemberID)+" "+x.Alarm.String())
		}
		for _, x := range wantAl.Alarms {
			b = append(b, memberID(x.MemberID)+" "+x.Alarm.String())
		}
		if u == c.Members[0].ClientURL {
			alarmed = memberID(st.Header.MemberID) + " NOSPACE"
		}
		if !slices.Equal(a, b) || len(a) != 1 || a[0] != alarmed {
			t.Errorf("%s: alarms %q, etcd's client %q", u, a, b)
		}
	}
}

func equalAny(a, b any) bool {
	as, ok1 := a.([]string)
	bs, ok2 := b.([]string)
	if ok1 && ok2 {
		return slices.Equal(as, bs)
	}
	return a == b
}

func describeMembers(ms []*member) []string {
	var out []string
	for _, m := range sortedMembers(ms) {
		out = append(out, fmt.Sprint(memberID(m.ID), m.Name, m.PeerURLs, m.ClientURLs, m.IsLearner))
	}
	return out
}

func describeRefMembers(ms []*pb.Member) []string {
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b *pb.Member) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprint(memberID(m.ID), m.Name, m.PeerURLs, m.ClientURLs, m.IsLearner))
	}
	return out
}

// A token the server no longer accepts is renewed once, as etcd's client
// does: the real server answers a stale token with "invalid auth token".
func TestClientRenewsARejectedToken(t *testing.T) {
	c := sharedCluster(t)
	cli := connectTo(t, openSession(t, c, ""), c.Members[0].ClientURL)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	cli.token = "stale.7"
	if _, err := cli.call(ctx, "/etcdserverpb.Maintenance/Status", nil); !isDesc(err, descInvalidAuthToken) {
		t.Fatalf("the server accepted a stale token: %v", err)
	}
	if _, err := cli.status(ctx); err != nil {
		t.Fatalf("Status with a stale token: %v", err)
	}
	if cli.token == "stale.7" || cli.token == "" {
		t.Errorf("the token was not renewed: %q", cli.token)
	}
}

// http:// endpoints speak HTTP/2 without TLS (prior knowledge), which a
// real etcd's client port accepts next to HTTP/1.
func TestPlainEndpointAnswers(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{Members: 1, Plain: true})
	defer c.Close()
	u := c.Members[0].ClientURL
	r := runEndpoint(t, c, "etcd:\n  endpoints: ["+u+"]\n  members: 1\n", 10*time.Second)
	want(t, r, engine.Pass, "", "connected, authenticated and answered Status: etcd 3.")
	if _, ok := r.Details["tls_version"]; ok {
		t.Errorf("a plain endpoint reports TLS: %v", r.Details)
	}
}
