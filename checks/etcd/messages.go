package etcd

import (
	"fmt"
	"strconv"
)

// The messages golive exchanges with etcd, holding only the fields it
// reads. Field numbers are those of etcd's api/v3 etcdserverpb/rpc.proto;
// the codec is protobuf's wire format written by hand: linking
// google.golang.org/protobuf (even encoding/protowire, whose error package
// hashes the executable at init) would cost every golive run its package
// init, and etcd's generated types register descriptors besides.

type responseHeader struct {
	ClusterID, MemberID uint64
}

type statusResponse struct {
	Header                                responseHeader
	Version                               string
	DbSize, DbSizeInUse, DbSizeQuota      int64
	Leader                                uint64
	RaftIndex, RaftTerm, RaftAppliedIndex uint64
	Errors                                []string
	IsLearner                             bool
}

type member struct {
	ID                   uint64
	Name                 string
	PeerURLs, ClientURLs []string
	IsLearner            bool
}

type memberListResponse struct{ Members []*member }

type alarmMember struct {
	MemberID uint64
	Alarm    alarmType
}

type alarmResponse struct{ Alarms []*alarmMember }

// alarmType is etcdserverpb.AlarmType.
type alarmType int32

const (
	alarmNone    alarmType = 0
	alarmNoSpace alarmType = 1
	alarmCorrupt alarmType = 2
)

// String is the enum's name, or its number for a value this etcd API does
// not know, as protobuf's generated String does.
func (a alarmType) String() string {
	switch a {
	case alarmNone:
		return "NONE"
	case alarmNoSpace:
		return "NOSPACE"
	case alarmCorrupt:
		return "CORRUPT"
	}
	return strconv.Itoa(int(a))
}

// decodeHeader merges b into h: a message field that occurs twice is
// merged, as protobuf does.
func decodeHeader(b []byte, h *responseHeader) error {
	return fields(b, func(f field) error {
		switch f.num {
		case 1:
			f.uint(&h.ClusterID)
		case 2:
			f.uint(&h.MemberID)
		}
		return nil
	})
}

func decodeStatus(b []byte) (*statusResponse, error) {
	st := &statusResponse{}
	err := fields(b, func(f field) error {
		switch f.num {
		case 1:
			if b, ok := f.message(); ok {
				return decodeHeader(b, &st.Header)
			}
		case 2:
			f.str(&st.Version)
		case 3:
			f.int(&st.DbSize)
		case 4:
			f.uint(&st.Leader)
		case 5:
			f.uint(&st.RaftIndex)
		case 6:
			f.uint(&st.RaftTerm)
		case 7:
			f.uint(&st.RaftAppliedIndex)
		case 8:
			f.strs(&st.Errors)
		case 9:
			f.int(&st.DbSizeInUse)
		case 10:
			f.bool(&st.IsLearner)
		case 12:
			f.int(&st.DbSizeQuota)
		case 13: // downgradeInfo
			return f.wellFormed()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("decode StatusResponse: %w", err)
	}
	return st, nil
}

func decodeMember(b []byte) (*member, error) {
	m := &member{}
	err := fields(b, func(f field) error {
		switch f.num {
		case 1:
			f.uint(&m.ID)
		case 2:
			f.str(&m.Name)
		case 3:
			f.strs(&m.PeerURLs)
		case 4:
			f.strs(&m.ClientURLs)
		case 5:
			f.bool(&m.IsLearner)
		}
		return nil
	})
	return m, err
}

func decodeMemberList(b []byte) (*memberListResponse, error) {
	ml := &memberListResponse{}
	err := fields(b, func(f field) error {
		b, ok := f.message()
		switch {
		case f.num == 1:
			return f.wellFormed()
		case f.num != 2 || !ok:
			return nil
		}
		m, err := decodeMember(b)
		ml.Members = append(ml.Members, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("decode MemberListResponse: %w", err)
	}
	return ml, nil
}

func decodeAlarms(b []byte) (*alarmResponse, error) {
	ar := &alarmResponse{}
	err := fields(b, func(f field) error {
		b, ok := f.message()
		switch {
		case f.num == 1:
			return f.wellFormed()
		case f.num != 2 || !ok:
			return nil
		}
		a := &alarmMember{}
		ar.Alarms = append(ar.Alarms, a)
		return fields(b, func(f field) error {
			switch f.num {
			case 1:
				f.uint(&a.MemberID)
			case 2:
				if f.typ == wireVarint {
					a.Alarm = alarmType(int32(f.u)) // an enum is an int32 on the wire
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("decode AlarmResponse: %w", err)
	}
	return ar, nil
}

func decodeToken(b []byte) (string, error) {
	var token string
	err := fields(b, func(f field) error {
		switch f.num {
		case 1:
			return f.wellFormed()
		case 2:
			f.str(&token)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("decode AuthenticateResponse: %w", err)
	}
	return token, nil
}

// authenticateRequest is AuthenticateRequest{name = 1, password = 2}.
func authenticateRequest(name, password string) []byte {
	return appendString(appendString(nil, 1, name), 2, password)
}
