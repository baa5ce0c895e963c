package disk

// The store families whose data_dir keys the disk family reads: linked
// so that engine.Build validates their sections in TestStoreDataDirs.
import (
	_ "github.com/golive-sh/golive/checks/etcd"
	_ "github.com/golive-sh/golive/checks/mysql"
)
