//go:build golive_testfamily

package all

import _ "github.com/golive-sh/golive/checks/testsleep" // test-only family
