package etcd

// For the end-to-end tests of package etcd_test, which run golive itself
// (internal/cli imports every family, this one included).
var (
	SharedCluster = sharedCluster
	TestPassword  = testPassword
	SectionFor    = sectionFor
)
