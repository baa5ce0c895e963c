package selinux

import "github.com/golive-sh/golive/internal/secontext"

// The security context itself is internal/secontext's, shared with the
// file family.
var (
	parseContext  = secontext.Parse
	labelValue    = secontext.FromXattr
	validTypeName = secontext.ValidType
)

// noContext is the file_contexts value that tells restorecon to leave a
// path's label alone.
const noContext = "<<none>>"
