; Code model small: the self-calls are R_X86_64_PLT32 and the constant pool
; is reached through R_X86_64_PC32, all within the one loaded region.
target triple = "x86_64-unknown-linux-gnu"

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

define double @halfPlus(double %x) {
  %m = fmul double %x, 0.5
  %a = fadd double %m, 0.25
  ret double %a
}
