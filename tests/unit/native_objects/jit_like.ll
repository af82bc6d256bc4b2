; Compiled as the JIT plugin compiles (code model small, PIC): every
; address of the run is an external symbol marked large and absolute,
; reached by a movabs (R_X86_64_64) with no GOT; a function is called
; through the slot that holds its address; calls, constants and strings
; within the object are PC-relative (R_X86_64_PLT32, R_X86_64_PC32).
target triple = "x86_64-unknown-linux-gnu"

@test.counter = external dso_local global i64, code_model "large", !absolute_symbol !0
@test.scaleSlot = external dso_local global ptr, code_model "large", !absolute_symbol !0
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

; A dense switch (a jump table) and a select between two float constants
; (a constant pool indexed by the condition): absolute 32-bit addresses
; unless the code is position-independent.
define i64 @dense(i64 %x) {
entry:
  switch i64 %x, label %other [
    i64 0, label %zero
    i64 1, label %one
    i64 2, label %two
    i64 3, label %three
    i64 4, label %four
  ]
zero:
  ret i64 11
one:
  %m = mul i64 %x, 27
  ret i64 %m
two:
  %s = shl i64 %x, 5
  ret i64 %s
three:
  %a = add i64 %x, 45
  ret i64 %a
four:
  %x4 = xor i64 %x, 51
  ret i64 %x4
other:
  ret i64 -1
}

define double @choose(i64 %x) {
  %positive = icmp sgt i64 %x, 0
  %r = select i1 %positive, double 1.5, double -2.25
  ret double %r
}

!0 = !{i64 -1, i64 -1}
