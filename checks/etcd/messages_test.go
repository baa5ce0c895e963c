package etcd

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"google.golang.org/protobuf/proto"
)

// FuzzDecodeResponses decodes any bytes as each response golive reads and
// compares with protobuf's own decoder on etcd's generated types (the
// decoder etcd's client used): where both accept the bytes they agree on
// every field golive keeps, and golive refuses nothing protobuf accepts.
// The seeds under testdata/fuzz are real answers of etcd 3.7.
func FuzzDecodeResponses(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x02, 0x08, 0x01, 0x0a, 0x02, 0x10, 0x02})       // a header in two parts, merged
	f.Add([]byte{0x22, 0x01, 0x01, 0x20, 0x05})                         // leader with the wrong wire type, then right
	f.Add([]byte{0x1b, 0x08, 0x01, 0x2b, 0x2c, 0x1c, 0x20, 0x07})       // nested groups
	f.Add([]byte{0x12, 0x04, 0x08, 0x07, 0x10, 0x02, 0x12, 0x02, 0x10}) // members/alarms, the last truncated
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeStatus(b)
		var ref pb.StatusResponse
		if check(t, "Status", err, proto.Unmarshal(b, &ref)) {
			h := ref.GetHeader()
			got := fmt.Sprint(st.Header.ClusterID, st.Header.MemberID, st.Version, st.DbSize, st.Leader, st.RaftIndex, st.RaftTerm,
				st.RaftAppliedIndex, st.Errors, st.DbSizeInUse, st.IsLearner, st.DbSizeQuota)
			want := fmt.Sprint(h.GetClusterId(), h.GetMemberId(), ref.Version, ref.DbSize, ref.Leader, ref.RaftIndex, ref.RaftTerm,
				ref.RaftAppliedIndex, ref.Errors, ref.DbSizeInUse, ref.IsLearner, ref.DbSizeQuota)
			if got != want {
				t.Fatalf("Status\n got %s\nwant %s", got, want)
			}
		}

		ml, err := decodeMemberList(b)
		var refML pb.MemberListResponse
		if check(t, "MemberList", err, proto.Unmarshal(b, &refML)) {
			var got, want []string
			for _, m := range ml.Members {
				got = append(got, fmt.Sprint(m.ID, m.Name, m.PeerURLs, m.ClientURLs, m.IsLearner))
			}
			for _, m := range refML.Members {
				want = append(want, fmt.Sprint(m.ID, m.Name, m.PeerURLs, m.ClientURLs, m.IsLearner))
			}
			if !slices.Equal(got, want) {
				t.Fatalf("MemberList\n got %q\nwant %q", got, want)
			}
		}

		al, err := decodeAlarms(b)
		var refAl pb.AlarmResponse
		if check(t, "Alarm", err, proto.Unmarshal(b, &refAl)) {
			var got, want []string
			for _, a := range al.Alarms {
				got = append(got, fmt.Sprint(a.MemberID, a.Alarm))
			}
			for _, a := range refAl.Alarms {
				want = append(want, fmt.Sprint(a.MemberID, a.Alarm))
			}
			if !slices.Equal(got, want) {
				t.Fatalf("Alarm\n got %q\nwant %q", got, want)
			}
		}

		token, err := decodeToken(b)
		var refAuth pb.AuthenticateResponse
		if check(t, "Authenticate", err, proto.Unmarshal(b, &refAuth)) && token != refAuth.Token {
			t.Fatalf("token %q, want %q", token, refAuth.Token)
		}
	})
}

// check reports whether both decoders accepted the bytes. protobuf alone
// refuses strings that are not UTF-8; golive keeps them as they came.
func check(t *testing.T, what string, err, refErr error) bool {
	t.Helper()
	switch {
	case err != nil && refErr == nil:
		t.Fatalf("%s: golive refuses what protobuf accepts: %v", what, err)
	case err == nil && refErr != nil && !strings.Contains(refErr.Error(), "UTF-8"):
		t.Fatalf("%s: golive accepts what protobuf refuses: %v", what, refErr)
	}
	return err == nil && refErr == nil
}

// The request golive sends is what protobuf encodes for etcd's type.
func TestAuthenticateRequestEncoding(t *testing.T) {
	for _, c := range [][2]string{{"root", "Golive-etcd-S3cret!"}, {"", "pw"}, {"u", ""}, {strings.Repeat("n", 300), "é"}} {
		want, err := proto.Marshal(&pb.AuthenticateRequest{Name: c[0], Password: c[1]})
		if err != nil {
			t.Fatal(err)
		}
		if got := authenticateRequest(c[0], c[1]); !bytes.Equal(got, want) {
			t.Errorf("%q: got %x, want %x", c, got, want)
		}
	}
}
