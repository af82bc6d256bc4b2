; Compiled as the JIT plugin compiles (code model medium, static
; relocation): every address of the run is an external symbol marked
; large, reached by an absolute movabs (R_X86_64_64); a function is called
; through the slot that holds its address; calls and constants within the
; object are PC-relative (R_X86_64_PLT32, R_X86_64_PC32).
target triple = "x86_64-unknown-linux-gnu"

@test.counter = external dso_local global i64, code_model "large"
@test.scaleSlot = external dso_local global ptr, code_model "large"
@greeting = private unnamed_addr constant [6 x i8] c"hello\00"

define i64 @fib(i64 %n) {
entry:
  %small = icmp slt i64 %n, 2
  br i1 %small, label %done, label %recurse
done:
  ret i64 %n
recurse:
  %n1 = sub i64 %n, 1
  %f1 = call i64 @fib(i64 %n1)
  %n2 = sub i64 %n, 2
  %f2 = call i64 @fib(i64 %n2)
  %sum = add i64 %f1, %f2
  ret i64 %sum
}

; test.scale(x * 2.5 + 0.125)
define double @poly(double %x) {
  %m = fmul double %x, 2.5
  %a = fadd double %m, 0.125
  %scale = load ptr, ptr @test.scaleSlot
  %s = call double %scale(double %a)
  ret double %s
}

define i64 @counterPlus(i64 %n) {
  %c = load i64, ptr @test.counter
  %s = add i64 %c, %n
  ret i64 %s
}

define i8 @greetingByte(i64 %i) {
  %p = getelementptr [6 x i8], ptr @greeting, i64 0, i64 %i
  %b = load i8, ptr %p
  ret i8 %b
}
