package etcd

import (
	"cmp"
	"context"
	"slices"
)

// survey is the cluster as seen from this host: what each configured
// endpoint answered, the member list, and what every member answered at
// each of its client URLs.
type survey struct {
	endpoints []*reach
	// members is the first member list read, listFrom the endpoint that
	// gave it ("" when none could be read).
	members  []*member
	listFrom string
	listFail *reach // an endpoint that answered Status but not the list
	alarms   []*alarmMember
	alarmsOK bool
	// memberURLs: member ID -> its client URLs' reaches, in URL order.
	memberURLs map[uint64][]*reach
}

// survey reaches the endpoints (with lists), then every member client URL
// the endpoints did not cover, all in parallel within ctx.
func (ss *session) survey(ctx context.Context) *survey {
	s := &survey{endpoints: ss.reachAll(ctx, ss.set.endpoints, true), memberURLs: map[uint64][]*reach{}}
	byURL := map[string]*reach{}
	for _, r := range s.endpoints {
		byURL[r.URL] = r
		switch {
		case r.OK() && r.Members != nil && s.listFrom == "":
			s.members, s.listFrom = sortedMembers(r.Members.Members), r.URL
		case r.OK() && r.ListFail != nil && s.listFail == nil:
			s.listFail = r
		}
		if r.Alarms != nil && !s.alarmsOK {
			s.alarms, s.alarmsOK = r.Alarms.Alarms, true
		}
	}
	var more []string
	for _, m := range s.members {
		for _, u := range m.ClientURLs {
			if _, ok := byURL[u]; !ok && !slices.Contains(more, u) {
				more = append(more, u)
			}
		}
	}
	for i, r := range ss.reachAll(ctx, more, false) {
		byURL[more[i]] = r
	}
	for _, m := range s.members {
		for _, u := range m.ClientURLs {
			s.memberURLs[m.ID] = append(s.memberURLs[m.ID], byURL[u])
		}
	}
	return s
}

// answered lists every reach that answered Status: endpoints and member
// URLs, each URL once.
func (s *survey) answered() []*reach {
	var out []*reach
	seen := map[string]bool{}
	add := func(r *reach) {
		if r.OK() && !seen[r.URL] {
			seen[r.URL] = true
			out = append(out, r)
		}
	}
	for _, r := range s.endpoints {
		add(r)
	}
	for _, m := range s.members {
		for _, r := range s.memberURLs[m.ID] {
			add(r)
		}
	}
	return out
}

// memberName is how a member is named: its name and ID.
func memberName(m *member) string {
	if m.Name == "" {
		return "unstarted member " + memberID(m.ID)
	}
	return m.Name + " (" + memberID(m.ID) + ")"
}

// nameOf names a member ID using the list.
func (s *survey) nameOf(id uint64) string {
	for _, m := range s.members {
		if m.ID == id {
			return memberName(m)
		}
	}
	return memberID(id) + " (not in the member list)"
}

// firstFailure is the first endpoint failure, for details.cause when no
// endpoint answered.
func (s *survey) firstFailure() *reach {
	for _, r := range s.endpoints {
		if r.Fail != nil {
			return r
		}
	}
	return nil
}

// sortedMembers orders members by name, then ID, so reports are stable.
func sortedMembers(ms []*member) []*member {
	out := slices.Clone(ms)
	slices.SortFunc(out, func(a, b *member) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return out
}
