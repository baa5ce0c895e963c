package libc

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkAnalyze100MiB analyses a 100 MiB dynamic binary (a 100 MiB
// .rodata array). DESIGN/issue budget: under 20 ms and under 10 MiB of
// extra memory — Analyze reads headers and the dynamic-linking sections,
// never the bulk of the file.
func BenchmarkAnalyze100MiB(b *testing.B) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		b.Skip("gcc not found (Debian package gcc)")
	}
	dir := b.TempDir()
	src := filepath.Join(dir, "big.c")
	bin := filepath.Join(dir, "big")
	code := "static const char big[100 << 20] = {1};\nint main(int argc, char **argv) { (void)argv; return big[argc]; }\n"
	if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
		b.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-O0", "-o", bin, src).CombinedOutput(); err != nil {
		b.Fatalf("gcc: %v\n%s", err, out)
	}
	f, err := os.Open(bin)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if fi, _ := f.Stat(); fi.Size() < 100<<20 {
		b.Fatalf("binary is %d bytes, want >= 100 MiB", fi.Size())
	}
	b.ReportAllocs()
	for b.Loop() {
		info, err := analyze(f)
		if err != nil || info.glibc == "" {
			b.Fatalf("analyze: %v %+v", err, info)
		}
	}
}
