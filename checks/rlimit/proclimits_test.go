package rlimit

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

// sampleLimits is /proc/<pid>/limits of a service on Ubuntu 22.04 (kernel
// 5.15), as fs/proc/base.c prints it.
const sampleLimits = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max file size             unlimited            unlimited            bytes     
Max data size             unlimited            unlimited            bytes     
Max stack size            8388608              unlimited            bytes     
Max core file size        0                    unlimited            bytes     
Max resident set          unlimited            unlimited            bytes     
Max processes             63448                63448                processes 
Max open files            1024                 524288               files     
Max locked memory         65536                65536                bytes     
Max address space         unlimited            unlimited            bytes     
Max file locks            unlimited            unlimited            locks     
Max pending signals       63448                63448                signals   
Max msgqueue size         819200               819200               bytes     
Max nice priority         0                    0                    
Max realtime priority     0                    0                    
Max realtime timeout      unlimited            unlimited            us        
`

func TestParseProcLimits(t *testing.T) {
	rows, problems := ParseProcLimits([]byte(sampleLimits))
	if len(problems) != 0 {
		t.Fatalf("problems %v", problems)
	}
	if len(rows) != 16 {
		t.Errorf("%d rows, want 16", len(rows))
	}
	for name, want := range map[string]Limit{
		"Max open files":       {1024, 524288},
		"Max processes":        {63448, 63448},
		"Max core file size":   {0, Infinity},
		"Max locked memory":    {65536, 65536},
		"Max nice priority":    {0, 0},
		"Max realtime timeout": {Infinity, Infinity},
	} {
		if rows[name] != want {
			t.Errorf("%s = %v, want %v", name, rows[name], want)
		}
	}
	for _, r := range resources {
		if _, ok := rows[r.proc]; !ok {
			t.Errorf("resource %s: no row %q in the kernel's table", r.name, r.proc)
		}
	}
}

func TestParseProcLimitsNamesBadRows(t *testing.T) {
	data := "Limit  Soft Limit Hard Limit Units\n" +
		"Max open files            lots                 524288               files\n" +
		"Max wibbles               1                    2                    wibbles\n" +
		"Max processes             1\n" +
		"Max processes             1 2 3 4\n"
	rows, problems := ParseProcLimits([]byte(data))
	if len(rows) != 0 || len(problems) != 4 {
		t.Errorf("rows %v problems %v", rows, problems)
	}
}

// The running kernel's own file parses, and agrees with getrlimit.
func TestParseProcLimitsOfThisProcess(t *testing.T) {
	data, err := os.ReadFile("/proc/self/limits")
	if err != nil {
		t.Skip("no /proc/self/limits:", err)
	}
	rows, problems := ParseProcLimits(data)
	if len(problems) != 0 {
		t.Fatalf("problems %v in\n%s", problems, data)
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	got := rows["Max open files"]
	if got.Soft != rl.Cur || got.Hard != rl.Max {
		t.Errorf("Max open files %v, getrlimit %d:%d", got, rl.Cur, rl.Max)
	}
	if !strings.HasPrefix(string(data), "Limit") {
		t.Error("no header")
	}
}
