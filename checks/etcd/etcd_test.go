package etcd

import (
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
)

func TestHealthyClusterPasses(t *testing.T) {
	c := sharedCluster(t)
	res := runChecks(t, c, profileFor(t, c, ""), 10*time.Second)
	for _, u := range c.ClientURLs() {
		r := res[endpointID(u)]
		want(t, r, engine.Pass, "", "connected, authenticated and answered Status")
		if r.Details["tls_version"] != "TLS 1.3" || r.Details["version"] == "" {
			t.Errorf("%s: details %v", r.ID, r.Details)
		}
	}
	want(t, res["etcd/cluster"], engine.Pass, "", "3 voting members", "no alarm")
	want(t, res["etcd/version"], engine.Pass, "", "all 3 members reached run etcd 3.7")
	t.Log(res["etcd/cluster"].Observed)
}
