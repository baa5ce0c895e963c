package libc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/checks/libc/libctest"
	"github.com/golive-sh/golive/internal/testenv"
)

// builtCases are every binary libctest builds plus the dependency layouts
// built here: RPATH inheritance along the chain of loaders, RUNPATH that is
// not inherited, a library's own $ORIGIN, and musl programs (libm and
// libpthread folded into libc.so, static, a private library through
// $ORIGIN, a missing library).
func builtCases(t *testing.T) []elfCase {
	t.Helper()
	b := libctest.Build(t)
	for _, p := range []*string{&b.CDynamic, &b.CStatic, &b.CStaticPIE, &b.CPP, &b.Musl, &b.GoStatic, &b.GoCgo, &b.GoArm64, &b.Origin, &b.OriginRPATH, &b.Missing} {
		b.Need(t, p)
	}
	var out []elfCase
	for name, p := range b.Paths() {
		out = append(out, elfCase{path: p, why: "libctest." + name})
	}
	if b.OriginLib != "" {
		out = append(out, elfCase{path: b.OriginLib, why: "libctest.OriginLib"})
	}

	gcc := testenv.NeedCommand(t, "gcc", "gcc")
	muslGCC := testenv.NeedCommand(t, "musl-gcc", "musl-tools")
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cc := func(compiler string, args ...string) {
		t.Helper()
		for _, a := range args {
			if strings.HasPrefix(a, "-o") && len(a) > 2 {
				t.Fatalf("use -o PATH")
			}
		}
		for i, a := range args {
			if a == "-o" {
				if err := os.MkdirAll(filepath.Dir(args[i+1]), 0o755); err != nil {
					t.Fatal(err)
				}
			}
		}
		cmd := exec.Command(compiler, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", compiler, strings.Join(args, " "), err, out)
		}
	}
	srcB := write("src/b.c", "int golive_b(void) { return 2; }\n")
	srcA := write("src/a.c", "int golive_b(void);\nint golive_a(void) { return golive_b() + 1; }\n")
	srcMain := write("src/main.c", "int golive_a(void);\nint main(void) { return golive_a(); }\n")
	srcMath := write("src/math.c", "#include <math.h>\n#include <pthread.h>\n#include <stdio.h>\nint main(int c, char **v) { (void)v; printf(\"%f %d\\n\", sqrt((double)c), (int)(pthread_self() != 0)); return 0; }\n")
	srcHello := write("src/hello.c", "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n")
	add := func(p, why string) { out = append(out, elfCase{path: p, why: why}) }
	at := func(rel string) string { return filepath.Join(dir, rel) }
	lib := func(compiler, out, src, soname string, extra ...string) {
		args := append([]string{"-O2", "-shared", "-fPIC", "-Wl,-soname," + soname, "-o", out, src}, extra...)
		cc(compiler, args...)
	}

	// chain: the program's RPATH ($ORIGIN/lib, its own directory) finds
	// libb.so for liba.so, which has no path of its own.
	lib(gcc, at("chain/lib/libb.so"), srcB, "libb.so")
	lib(gcc, at("chain/lib/liba.so"), srcA, "liba.so", "-L"+at("chain/lib"), "-lb")
	cc(gcc, "-O2", "-o", at("chain/app"), srcMain, "-L"+at("chain/lib"), "-la", "-Wl,-rpath-link,"+at("chain/lib"), "-Wl,-rpath,$ORIGIN/lib", "-Wl,--disable-new-dtags")
	add(at("chain/app"), "RPATH inherited by a library, $ORIGIN of the program")
	add(at("chain/lib/liba.so"), "library needing a library it cannot find alone")

	// chainrun: the same with RUNPATH, which a library does not inherit.
	lib(gcc, at("chainrun/lib/libb.so"), srcB, "libb.so")
	lib(gcc, at("chainrun/lib/liba.so"), srcA, "liba.so", "-L"+at("chainrun/lib"), "-lb")
	cc(gcc, "-O2", "-o", at("chainrun/app"), srcMain, "-L"+at("chainrun/lib"), "-la", "-Wl,-rpath-link,"+at("chainrun/lib"), "-Wl,-rpath,$ORIGIN/lib", "-Wl,--enable-new-dtags")
	add(at("chainrun/app"), "RUNPATH not inherited: libb.so not found")

	// chainmid: liba.so's RPATH ($ORIGIN/../deep) finds libb.so, whose
	// libc2.so is found through liba.so's RPATH again (the loader chain).
	lib(gcc, at("chainmid/deep/libc2.so"), write("src/c2.c", "int golive_c2(void) { return 5; }\n"), "libc2.so")
	lib(gcc, at("chainmid/deep/libb.so"), write("src/b2.c", "int golive_c2(void);\nint golive_b(void) { return golive_c2(); }\n"), "libb.so", "-L"+at("chainmid/deep"), "-lc2")
	lib(gcc, at("chainmid/lib/liba.so"), srcA, "liba.so", "-L"+at("chainmid/deep"), "-lb", "-Wl,-rpath-link,"+at("chainmid/deep"), "-Wl,-rpath,$ORIGIN/../deep", "-Wl,--disable-new-dtags")
	cc(gcc, "-O2", "-o", at("chainmid/bin/app"), srcMain, "-L"+at("chainmid/lib"), "-la", "-Wl,-rpath-link,"+at("chainmid/lib")+":"+at("chainmid/deep"), "-Wl,-rpath,/nonexistent/golive:$ORIGIN/../lib", "-Wl,--disable-new-dtags")
	add(at("chainmid/bin/app"), "RPATH of an intermediate loader")

	// selfrun: liba.so finds libb.so through its own RUNPATH $ORIGIN.
	lib(gcc, at("selfrun/lib/libb.so"), srcB, "libb.so")
	lib(gcc, at("selfrun/lib/liba.so"), srcA, "liba.so", "-L"+at("selfrun/lib"), "-lb", "-Wl,-rpath,$ORIGIN", "-Wl,--enable-new-dtags")
	cc(gcc, "-O2", "-o", at("selfrun/bin/app"), srcMain, "-L"+at("selfrun/lib"), "-la", "-Wl,-rpath-link,"+at("selfrun/lib"), "-Wl,-rpath,$ORIGIN/../lib", "-Wl,--enable-new-dtags")
	add(at("selfrun/bin/app"), "a library's own RUNPATH $ORIGIN")

	// musl programs.
	cc(muslGCC, "-O2", "-o", at("musl/math"), srcMath, "-lm", "-lpthread")
	add(at("musl/math"), "musl: libm and libpthread are libc.so")
	cc(muslGCC, "-O2", "-static", "-o", at("musl/static"), srcHello)
	add(at("musl/static"), "musl -static")
	lib(muslGCC, at("muslorigin/lib/libb.so"), srcB, "libb.so")
	lib(muslGCC, at("muslorigin/lib/liba.so"), srcA, "liba.so", "-L"+at("muslorigin/lib"), "-lb")
	cc(muslGCC, "-O2", "-o", at("muslorigin/bin/app"), srcMain, "-L"+at("muslorigin/lib"), "-la", "-Wl,-rpath-link,"+at("muslorigin/lib"), "-Wl,-rpath,$ORIGIN/../lib", "-Wl,--enable-new-dtags")
	add(at("muslorigin/bin/app"), "musl: RUNPATH $ORIGIN, inherited by liba.so as musl does")
	cc(muslGCC, "-O2", "-o", at("muslorigin/bin/app-rpath"), srcMain, "-L"+at("muslorigin/lib"), "-la", "-Wl,-rpath-link,"+at("muslorigin/lib"), "-Wl,-rpath,$ORIGIN/../lib", "-Wl,--disable-new-dtags")
	add(at("muslorigin/bin/app-rpath"), "musl: RPATH $ORIGIN")
	lib(muslGCC, at("muslmissing/lib/libgone.so"), srcB, "libgone.so")
	cc(muslGCC, "-O2", "-o", at("muslmissing/app"), write("src/gone.c", "int golive_b(void);\nint main(void) { return golive_b(); }\n"), "-L"+at("muslmissing/lib"), "-lgone")
	if err := os.Remove(at("muslmissing/lib/libgone.so")); err != nil {
		t.Fatal(err)
	}
	add(at("muslmissing/app"), "musl: a missing library")
	return out
}
