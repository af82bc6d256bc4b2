; A function with writable data of its own (.bss), which JIT code never has.
target triple = "x86_64-unknown-linux-gnu"

@calls = internal global i64 0

define i64 @countCall() {
  %c = load i64, ptr @calls
  %n = add i64 %c, 1
  store i64 %n, ptr @calls
  ret i64 %n
}
