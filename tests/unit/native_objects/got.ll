; Position-independent code reads an external variable through the GOT
; (R_X86_64_REX_GOTPCRELX), which the loader does not build.
target triple = "x86_64-unknown-linux-gnu"

@test.counter = external global i64

define i64 @readCounter() {
  %c = load i64, ptr @test.counter
  ret i64 %c
}
