; Code model small calling an external function: R_X86_64_PLT32, which can
; reach only +-2 GiB from the loaded code.
target triple = "x86_64-unknown-linux-gnu"

declare double @test.scale(double)

define double @callScale(double %x) {
  %s = call double @test.scale(double %x)
  ret double %s
}
