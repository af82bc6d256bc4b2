#!/usr/bin/env python3
"""Random well-typed, terminating Nido programs for the differential test.

    python3 tests/fuzz/gen_programs.py --seed N

Prints one program; the same seed always gives the same program. The
programs are made for tests/fuzz/differential.py, which runs each in several
execution modes and compares what they print.

Every program declares the same shapes with random bodies: module variables,
an interface `Valued`, an abstract class `Base` with subclasses `A`, `B`
(extends A) and `C` that override methods and call `super`, a class `Solo`,
error classes `Err1` and `Err2`, a handful of functions (some recursive, some
taking a closure), and `main`. Statements and expressions are drawn by type
from what is in scope: int arithmetic with wrapping constants, division and
`%` by values that may be 0 or -1, floats with NaN and infinities in
conditions, comparisons of every kind right in `if` and `while`, loops with
break/continue, assignments and compound assignments to locals, module
variables, fields, array elements and map entries, arrays, maps, strings,
closures that capture and change locals, virtual and interface calls,
`is`/`as`, null checks, try/catch/finally and thrown errors. `println` is
everywhere, each line tagged `L<n>` by the statement that printed it.

The rules that keep a program valid and short:

- Every local is declared with its type written out; names are fresh.
- Operations that may throw (division by a value that may be zero, indexes,
  map reads, casts, `int(f)`, `toInt()`, `check`, `throw`, calls of functions
  marked as throwing) appear only inside `try` bodies, in functions marked as
  throwing, and in the tail of `main` in about a quarter of the programs,
  where an uncaught error ends the run with status 1. A `try` outside those
  places ends with `catch e: Error`.
- Arrays are never empty (pushes need len < 8, pops len > 1), so an index
  `(e & 7) % xs.len()` is safe. Maps use six keys. A string expression holds
  at most one string of unbounded length, so strings grow linearly at most.
- Every loop runs a bounded number of times (a counter or a range of
  constant size). Functions call only functions declared before them,
  methods and lambdas call no user functions, and recursion depth is
  bounded by its argument (one recursive function, in some programs, runs
  into StackOverflowError inside a try on purpose).
- A cost estimate (statements run, with loop counts and callee costs
  multiplied in) caps each function and `main`, so each program runs a few
  tens of thousands of instructions.
"""

import argparse
import random

INT, FLOAT, BOOL, STRING = "int", "float", "bool", "string"
INTS, FLOATS, STRINGS = "[int]", "[float]", "[string]"
MAP = "{string: int}"
FUN = "fun(int): int"
VOID = "void"
ELEMENT = {INTS: INT, FLOATS: FLOAT, STRINGS: STRING}

# The class hierarchy: each class's parent (Valued is the interface).
PARENT = {"Base": "Valued", "A": "Base", "B": "A", "C": "Base", "Solo": "Valued"}
OBJECTS = ["Valued", "Base", "A", "B", "C", "Solo"]
# Constructor parameters of the classes that can be made.
CONSTRUCTORS = {"A": [INT], "B": [INT, FLOAT], "C": [INT], "Solo": []}
# Fields each class declares (all assignable).
FIELDS = {"Valued": [], "Base": [("n", INT), ("f", FLOAT), ("s", STRING), ("items", INTS)],
          "A": [("extra", INT)], "B": [("g", FLOAT)], "C": [], "Solo": [("v", INT)]}
# Methods each class declares first: name -> (parameters, result, may throw).
METHODS = {"Valued": {"value": ([], INT, False)},
           "Base": {"bump": ([INT], INT, False), "check": ([INT], INT, True), "kind": ([], STRING, False)},
           "A": {}, "B": {}, "C": {}, "Solo": {}}
ERRORS = ["ArithmeticError", "IndexError", "KeyError", "NullError", "CastError", "ValueError", "Err1", "Err2"]

INT_LITERALS = ["0", "1", "2", "3", "5", "7", "10", "100", "-1", "-2", "-7", "255", "1000003", "65536",
                "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967296", "4611686018427387904",
                "9223372036854775807", "-9223372036854775808", "0x7fffffffffffffff", "0x9E3779B97F4A7C15",
                "0xff", "0b1011", "1_000_000", "-32768"]
SMALL_INTS = ["0", "1", "2", "3", "4", "5", "-1", "-3", "8"]
FLOAT_LITERALS = ["0.0", "-0.0", "0.5", "1.0", "1.5", "-2.25", "0.1", "3.0", "1e10", "1e308", "-1e308",
                  "1e-300", "5e-324", "2.5e-3", "123456789.125", "(0.0 / 0.0)", "(1.0 / 0.0)", "(-1.0 / 0.0)"]
# replace() never lengthens a string: what it puts in is never longer.
REPLACED = ['"a"', '"ab"', '","']
REPLACEMENTS = ['""', '"Z"']
SEPARATORS = ['","', '"a"', '" - "']
STRING_LITERALS = ['""', '"a"', '"b"', '"ab"', '"xyz"', '"Nido"', '"a,b,c"', '" pad "', '"\u00e9t\u00e9"',
                   '"q\\"t"', '"tab\\t"', '"\\$5"', '"42"', '"-7"', '"1.5"']
KEYS = ['"a"', '"b"', '"c"', '"k1"', '"k2"', '"zz"']

# Cost estimates (statements run) and caps.
MAIN_BUDGET = 2500
FUNCTION_BUDGET = 250
METHOD_BUDGET = 25
METHOD_COST = 80        # a method call, with a super call and dispatch
CONSTRUCTOR_COST = 60
LAMBDA_BUDGET = 15
MAX_MULT = 60           # how often one statement may run per call of its function
MAX_DEPTH = 3           # nesting of blocks


def parents(t):
    """t and its ancestors, nearest first."""
    while t is not None:
        yield t
        t = PARENT.get(t)


def is_subtype(t, of):
    return t == of or (t in PARENT and of in parents(t))


def field_list(cls):
    return [f for c in parents(cls) for f in FIELDS[c]]


def method_table(cls):
    table = {}
    for c in parents(cls):
        for name, sig in METHODS[c].items():
            table.setdefault(name, sig)
    return table


class Var:
    def __init__(self, name, type, mutable=True, nullable=False):
        self.name, self.type, self.mutable, self.nullable = name, type, mutable, nullable


class Func:
    def __init__(self, name, params, ret, throws, cost):
        self.name, self.params, self.ret, self.throws, self.cost = name, params, ret, throws, cost


class Ctx:
    """Where code is being generated: the names in scope and what the code may do."""

    def __init__(self, scopes, ret, budget, throws=False, calls=True, funcs=()):
        self.scopes = scopes        # lists of Var, innermost last
        self.ret = ret              # result type of the enclosing function or lambda
        self.budget = budget        # cap on the cost estimate
        self.work = 0               # the cost estimate so far
        self.mult = 1               # how often the current statement runs per call
        self.loops = 0              # enclosing loops (break and continue allowed)
        self.depth = 0              # enclosing blocks
        self.throws = throws        # operations that may throw are allowed
        self.calls = calls          # user functions, methods, constructors and closures may be called
        self.funcs = list(funcs)    # the functions that may be called
        self.returns = True         # early returns allowed (not in main, which should run to its end)

    def vars(self, pred):
        return [v for scope in self.scopes for v in scope if pred(v)]

    def add(self, var):
        self.scopes[-1].append(var)

    def afford(self, cost):
        """Charges cost runs of something to the estimate, when it fits."""
        if self.work + self.mult * cost > self.budget:
            return False
        self.work += self.mult * cost
        return True


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.counter = 0
        self.label = 0
        self.globals = []
        self.funcs = []

    # ---- helpers ----

    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def chance(self, p):
        return self.rng.random() < p

    def choice(self, seq):
        return self.rng.choice(seq)

    def pick(self, options):
        """The result of one of the (weight, make) options, drawn by weight;
        a make that returns None does not apply and another is drawn. None
        when no option applies."""
        options = [o for o in options if o[0] > 0]
        while options:
            i = self.rng.choices(range(len(options)), [w for w, _ in options])[0]
            result = options[i][1]()
            if result is not None:
                return result
            options.pop(i)
        return None

    def tag(self):
        self.label += 1
        return f"L{self.label}"

    def risky(self, ctx, p):
        """Whether to use an operation that may throw, with probability p where that is allowed."""
        return ctx.throws and self.chance(p)

    def readable(self, ctx, t):
        """Non-null variables usable where a t is wanted."""
        return ctx.vars(lambda v: not v.nullable and (v.type == t or (t in OBJECTS and is_subtype(v.type, t))))

    def can_make(self, ctx, t):
        return t not in OBJECTS or ctx.calls or bool(self.readable(ctx, t))

    def value_type(self, ctx):
        """A type for a new variable or value."""
        types = [INT] * 5 + [FLOAT] * 3 + [BOOL] * 2 + [STRING] * 3 + [INTS, INTS, FLOATS, STRINGS, MAP, FUN]
        types += [t for t in OBJECTS if self.can_make(ctx, t)]
        return self.choice(types)

    # ---- expressions ----

    def expr(self, ctx, t, d=3, grow=True):
        """An expression of type t (a subtype for objects). d bounds the
        nesting; grow allows a string of unbounded length in it."""
        if t == INT:
            return self.int_expr(ctx, d)
        if t == FLOAT:
            return self.float_expr(ctx, d)
        if t == BOOL:
            return self.bool_expr(ctx, d)
        if t == STRING:
            return self.string_expr(ctx, d, grow)
        if t in ELEMENT:
            return self.array_expr(ctx, t, d, grow)
        if t == MAP:
            return self.map_expr(ctx, d)
        if t == FUN:
            return self.fun_expr(ctx)
        return self.object_expr(ctx, t, d)

    def var_of(self, ctx, t):
        vs = self.readable(ctx, t)
        return self.choice(vs).name if vs else None

    def int_leaf(self, ctx):
        return self.pick([(3, lambda: self.choice(INT_LITERALS)), (2, lambda: self.choice(SMALL_INTS)),
                          (6, lambda: self.var_of(ctx, INT))])

    def int_expr(self, ctx, d):
        if d <= 0 or self.chance(0.2):
            return self.int_leaf(ctx)
        e = lambda: self.int_expr(ctx, d - 1)
        return self.pick([
            (10, lambda: f"({e()} {self.choice(['+', '-', '*'])} {e()})"),
            (3, lambda: f"({e()} * {self.choice(INT_LITERALS)})"),
            (4, lambda: f"({e()} {self.choice(['&', '|', '^', '<<', '>>', '>>>'])} {e()})"),
            (5, lambda: self.division(ctx, d)),
            (2, lambda: f"{self.choice(['-', '~'])}({e()})"),
            (1, lambda: f"abs({e()})"),
            (2, lambda: f"{self.choice(['min', 'max'])}({e()}, {e()})"),
            (3, lambda: self.length(ctx, d)),
            (4, lambda: self.element(ctx, INTS, d)),
            (2, lambda: f"{self.map_expr(ctx, d - 1)}.get({self.key(ctx)}, {self.int_leaf(ctx)})"),
            (1, lambda: f"{self.map_expr(ctx, d - 1)}[{self.key(ctx)}]" if self.risky(ctx, 0.5) else None),
            (4, lambda: self.call(ctx, INT, d)),
            (3, lambda: self.field(ctx, INT, d)),
            (2, lambda: f"{self.string_expr(ctx, d - 1)}.find({self.choice(STRING_LITERALS)})"),
            (1, lambda: f"{self.array_expr(ctx, INTS, d - 1)}.indexOf({e()})"),
            (1, lambda: f"{self.array_expr(ctx, INTS, d - 1)}.filter((x: int) => x > {self.choice(SMALL_INTS)}).len()"),
            (1, lambda: f"{self.choice(STRING_LITERALS)}.toInt()" if self.risky(ctx, 0.6) else None),
            (1, lambda: f"int({self.float_expr(ctx, d - 1)})" if self.risky(ctx, 0.6) else None),
            (1, lambda: f"{self.string_expr(ctx, d - 1)}[{e()}]" if self.risky(ctx, 0.6) else None),
        ])

    def division(self, ctx, d):
        """a / b or a % b; b may be zero or -1 only where errors may be thrown."""
        a = self.int_expr(ctx, d - 1)
        op = self.choice(["/", "%"])
        if self.risky(ctx, 0.5):
            b = self.choice(["0", "-1", self.int_expr(ctx, d - 1), self.int_leaf(ctx)])
        else:
            b = self.pick([(3, lambda: self.choice(["1", "-1", "3", "-7", "1000003", "2147483648", "-9223372036854775808"])),
                           (3, lambda: f"({self.int_expr(ctx, d - 1)} | 1)"),
                           (1, lambda: f"(({self.int_expr(ctx, d - 1)} & 7) + 1)")])
        return f"({a} {op} {b})"

    def length(self, ctx, d):
        return self.pick([(2, lambda: f"{self.array_expr(ctx, self.choice([INTS, FLOATS, STRINGS]), d - 1)}.len()"),
                          (2, lambda: f"{self.string_expr(ctx, d - 1)}.len()"),
                          (1, lambda: f"{self.map_expr(ctx, d - 1)}.len()")])

    def index(self, ctx, array):
        """An index into the array expression array: in range, except in risky code."""
        if self.risky(ctx, 0.3):
            return self.choice(["-1", f"{array}.len()", self.int_leaf(ctx), "8"])
        return f"({self.int_leaf(ctx)} & 7) % {array}.len()"

    def without_calls(self, ctx, make):
        """make(ctx) with calls off: for a value computed after an index or a
        key is checked and before it is used, which a call could invalidate
        (by popping the array, say)."""
        saved = ctx.calls
        ctx.calls = False
        try:
            return make(ctx)
        finally:
            ctx.calls = saved

    def element(self, ctx, t, d):
        array = self.var_of(ctx, t) or self.field(ctx, t, d)
        return f"{array}[{self.index(ctx, array)}]" if array else None

    def key(self, ctx):
        if self.risky(ctx, 0.2):
            return self.string_expr(ctx, 1, grow=False)
        return self.choice(KEYS)

    def call(self, ctx, t, d):
        """A call of a function, method or closure giving a t, or None."""
        if not ctx.calls:
            return None
        return self.pick([(3, lambda: self.function_call(ctx, t, d)),
                          (2 * (t == INT), lambda: self.closure_call(ctx, d)),
                          (3, lambda: self.method_call(ctx, t, d))])

    def function_call(self, ctx, t, d):
        fs = [f for f in ctx.funcs if f.ret == t and (ctx.throws or not f.throws)]
        if not fs:
            return None
        f = self.choice(fs)
        if not ctx.afford(f.cost):
            return None
        return f"{f.name}({self.args(ctx, [p.type for p in f.params], d)})"

    def args(self, ctx, types, d):
        return ", ".join(self.expr(ctx, t, d - 1, grow=False) for t in types)

    def closure_call(self, ctx, d):
        g = self.var_of(ctx, FUN)
        if g is None or not ctx.afford(LAMBDA_BUDGET):
            return None
        return f"{g}({self.int_expr(ctx, d - 1)})"

    def method_call(self, ctx, t, d):
        receivers = ctx.vars(lambda v: v.type in OBJECTS and not v.nullable)
        cls = self.choice(receivers).type if receivers else self.choice(list(CONSTRUCTORS))
        methods = [(name, sig) for name, sig in method_table(cls).items()
                   if sig[1] == t and (ctx.throws or not sig[2])]
        if t == STRING and is_subtype(cls, "Base"):
            methods.append(("toString", ([], STRING, False)))
        if not methods or not ctx.afford(METHOD_COST):
            return None
        name, (params, _, _) = self.choice(methods)
        receiver = self.object_expr(ctx, cls, d - 1)
        return f"{receiver}.{name}({self.args(ctx, params, d)})"

    def field(self, ctx, t, d):
        """A field of type t of some object, or None."""
        owners = [v for v in ctx.vars(lambda v: v.type in OBJECTS and not v.nullable)
                  if any(ft == t for _, ft in field_list(v.type))]
        if not owners:
            return None
        v = self.choice(owners)
        return f"{v.name}.{self.choice([n for n, ft in field_list(v.type) if ft == t])}"

    def float_expr(self, ctx, d):
        if d <= 0 or self.chance(0.2):
            return self.pick([(3, lambda: self.choice(FLOAT_LITERALS)), (4, lambda: self.var_of(ctx, FLOAT)),
                              (1, lambda: self.field(ctx, FLOAT, d))])
        e = lambda: self.float_expr(ctx, d - 1)
        return self.pick([
            (10, lambda: f"({e()} {self.choice(['+', '-', '*', '/', '%'])} {e()})"),
            (3, lambda: f"({e()} {self.choice(['+', '-', '*', '/'])} {self.int_expr(ctx, d - 1)})"),
            (2, lambda: f"({self.int_expr(ctx, d - 1)} {self.choice(['+', '*', '/'])} {e()})"),
            (2, lambda: f"-({e()})"),
            (2, lambda: f"float({self.int_expr(ctx, d - 1)})"),
            (2, lambda: f"{self.choice(['min', 'max'])}({e()}, {e()})"),
            (2, lambda: f"{self.choice(['abs', 'math.sqrt', 'math.floor', 'math.round'])}({e()})"),
            (3, lambda: self.element(ctx, FLOATS, d)),
            (3, lambda: self.field(ctx, FLOAT, d)),
            (3, lambda: self.call(ctx, FLOAT, d)),
        ])

    def bool_expr(self, ctx, d):
        if d <= 0 or self.chance(0.1):
            return self.pick([(1, lambda: self.choice(["true", "false"])), (3, lambda: self.var_of(ctx, BOOL)),
                              (3, lambda: f"({self.comparison(ctx, 0)})")])
        e = lambda: self.bool_expr(ctx, d - 1)
        return self.pick([
            (12, lambda: f"({self.comparison(ctx, d - 1)})"),
            (4, lambda: f"({e()} {self.choice(['&&', '||'])} {e()})"),
            (2, lambda: f"!({e()})"),
            (2, lambda: f"(({e()}) {self.choice(['==', '!='])} ({e()}))"),
            (2, lambda: self.var_of(ctx, BOOL)),
            (1, lambda: f"{self.array_expr(ctx, INTS, d - 1)}.contains({self.int_expr(ctx, d - 1)})"),
            (1, lambda: f"{self.map_expr(ctx, d - 1)}.has({self.key(ctx)})"),
            (1, lambda: f"{self.string_expr(ctx, d - 1)}.{self.choice(['contains', 'startsWith', 'endsWith'])}"
                        f"({self.choice(STRING_LITERALS)})"),
            (1, lambda: f"math.isNaN({self.float_expr(ctx, d - 1)})"),
            (2, lambda: self.is_test(ctx)),
            (1, lambda: self.null_test(ctx)),
            (1, lambda: self.call(ctx, BOOL, d)),
        ])

    def comparison(self, ctx, d):
        t = self.choice([INT, INT, INT, FLOAT, FLOAT, STRING])
        ops = ["==", "!=", "<", "<=", ">", ">="]
        a = self.expr(ctx, t, d, grow=False)
        b = self.expr(ctx, t, d, grow=False) if self.chance(0.7) else (
            self.choice(INT_LITERALS + SMALL_INTS) if t == INT else self.choice(FLOAT_LITERALS) if t == FLOAT
            else self.choice(STRING_LITERALS))
        return f"{a} {self.choice(ops)} {b}"

    def is_test(self, ctx):
        objs = ctx.vars(lambda v: v.type in OBJECTS and not v.nullable)
        if not objs:
            return None
        v = self.choice(objs)
        return f"({v.name} is {self.choice([c for c in OBJECTS if is_subtype(c, v.type)])})"

    def null_test(self, ctx):
        vs = ctx.vars(lambda v: v.type in OBJECTS or v.type == STRING or v.nullable)
        if not vs:
            return None
        v = self.choice(vs)
        other = "null"
        if v.type in OBJECTS and self.chance(0.4):
            other = self.var_of(ctx, v.type) or "null"
        return f"({v.name} {self.choice(['==', '!='])} {other})"

    def string_expr(self, ctx, d, grow=True):
        """A string; without grow, one of bounded length."""
        leaf = [(4, lambda: self.choice(STRING_LITERALS)),
                (4 * grow, lambda: self.var_of(ctx, STRING)),
                (1 * grow, lambda: self.field(ctx, STRING, d)),
                (1, lambda: f"str({self.int_expr(ctx, 0)})")]
        if d <= 0 or self.chance(0.2):
            return self.pick(leaf)
        e = lambda g=False: self.string_expr(ctx, d - 1, g)
        first_grows = self.chance(0.5)
        return self.pick(leaf + [
            (6, lambda: f"({e(grow and first_grows)} + {e(grow and not first_grows)})"),
            (3, lambda: f"({e(grow)} + {self.expr(ctx, self.choice([INT, FLOAT, BOOL]), d - 1)})"),
            (4, lambda: self.interpolation(ctx, d, grow)),
            (2, lambda: f"str({self.expr(ctx, self.choice([INT, FLOAT, BOOL, INTS, FLOATS]), d - 1, grow=False)})"),
            (2, lambda: f"{e(grow)}.{self.choice(['upper()', 'lower()', 'trim()'])}"),
            (1, lambda: f"{self.choice(STRING_LITERALS)}.repeat({self.choice(['0', '1', '2', '3'])})"),
            (1, lambda: f"{e(grow)}.replace({self.choice(REPLACED)}, {self.choice(REPLACEMENTS)})"),
            (2, lambda: self.slice(ctx, d, grow)),
            (1, lambda: f"{self.array_expr(ctx, STRINGS, d - 1)}.join({self.choice(SEPARATORS)})" if grow else None),
            (1, lambda: f"chr({self.choice(['65', '97', '233', '0x1F423'])} + ({self.int_expr(ctx, d - 1)} & 7))"),
            (3, lambda: self.call(ctx, STRING, d)),
            (1, lambda: self.element(ctx, STRINGS, d) if grow else None),
        ])

    def interpolation(self, ctx, d, grow):
        parts = []
        for i in range(self.rng.randint(1, 3)):
            t = self.choice([INT, FLOAT, BOOL, STRING, INTS])
            parts.append(self.choice(["", "x", " ", "=", "\\$", "\u00e9"]))
            parts.append("${" + self.expr(ctx, t, d - 1, grow=grow and i == 0) + "}")
        return '"' + "".join(parts) + '"'

    def slice(self, ctx, d, grow):
        s = self.var_of(ctx, STRING) if grow else None
        s = s or self.choice(STRING_LITERALS)
        if self.risky(ctx, 0.5):
            return f"{s}.slice({self.int_leaf(ctx)}, {self.int_leaf(ctx)})"
        return f"{s}.slice(0, min({self.choice(SMALL_INTS[1:5])}, {s}.len()))"

    def array_expr(self, ctx, t, d, grow=True):
        """A non-empty array of type t."""
        elem = ELEMENT[t]
        literal = lambda: "[" + ", ".join(self.expr(ctx, elem, d - 1, grow=False)
                                          for _ in range(self.rng.randint(1, 4))) + "]"
        if d <= 0:
            return self.pick([(1, literal), (2 * grow, lambda: self.var_of(ctx, t))])
        options = [(3, literal), (4 * grow, lambda: self.var_of(ctx, t)),
                   (1 * grow, lambda: self.field(ctx, t, d)),
                   (1 * grow, lambda: f"{self.array_expr(ctx, t, d - 1)}.copy()"),
                   (1, lambda: f"array({self.choice(['1', '2', '3'])}, {self.expr(ctx, elem, d - 1, grow=False)})")]
        if t == INTS:
            options.append((1, lambda: f"{self.array_expr(ctx, t, d - 1)}.map((x: int) => {self.lambda_int(ctx, 'x')})"))
        if t == FLOATS:
            options.append((1, lambda: f"{self.array_expr(ctx, t, d - 1)}.map((y: float) => y * {self.choice(FLOAT_LITERALS)})"))
        if t == STRINGS:
            options.append((1, lambda: f"{self.choice(STRING_LITERALS)}.split({self.choice(SEPARATORS[:2])})"))
        if t in (INTS, FLOATS, STRINGS) and ctx.calls:
            options.append((1, lambda: self.call(ctx, t, d)))
        return self.pick(options)

    def lambda_int(self, ctx, param):
        """The body of a short lambda of an int parameter param."""
        return self.choice([f"{param} * {self.choice(SMALL_INTS)}", f"{param} + {self.int_leaf(ctx)}",
                            f"({param} ^ {self.int_leaf(ctx)}) - 1", f"-{param}"])

    def map_expr(self, ctx, d):
        v = self.var_of(ctx, MAP)
        if v and (d <= 0 or self.chance(0.8)):
            return v
        keys = self.rng.sample(KEYS, self.rng.randint(1, 3))
        return "{" + ", ".join(f"{k}: {self.int_expr(ctx, max(0, d - 2))}" for k in keys) + "}"

    def fun_expr(self, ctx, long=False):
        """A closure: a variable or a lambda; with long, maybe a lambda with
        a block body, which spans lines (so only where a statement starts)."""
        v = self.var_of(ctx, FUN)
        if v and self.chance(0.3):
            return v
        x = self.fresh("x")
        if not long or self.chance(0.4):
            return f"({x}: int) => {self.lambda_int(ctx, x)}"
        inner = Ctx(ctx.scopes + [[Var(x, INT)]], INT, LAMBDA_BUDGET, calls=False)
        inner.depth = MAX_DEPTH - 1
        body = self.statements(inner, self.rng.randint(1, 3))
        body.append(f"return {self.int_expr(inner, 2)}")
        return f"fun({x}: int): int {{\n" + "\n".join(indent(body)) + "\n}"

    def object_expr(self, ctx, t, d):
        """A variable or (where calls are allowed) a new object."""
        v = self.var_of(ctx, t)
        if v and (not ctx.calls or d <= 0 or self.chance(0.6) or not ctx.afford(CONSTRUCTOR_COST)):
            return v
        cls = self.choice([c for c in CONSTRUCTORS if is_subtype(c, t)])
        return f"{cls}({self.args(ctx, CONSTRUCTORS[cls], d)})"

    # ---- statements ----

    def statements(self, ctx, n):
        out = []
        for _ in range(n):
            out += self.statement(ctx)
        return out

    def block(self, ctx, n, extra=()):
        """The statements of a new block, with the variables extra in scope."""
        ctx.scopes.append(list(extra))
        ctx.depth += 1
        out = self.statements(ctx, n)
        ctx.depth -= 1
        ctx.scopes.pop()
        return out

    def statement(self, ctx):
        if not ctx.afford(1):
            return []
        nested = ctx.depth < MAX_DEPTH
        return self.pick([
            (12, lambda: self.declaration(ctx)),
            (10, lambda: self.assignment(ctx)),
            (8, lambda: self.compound(ctx)),
            (12, lambda: self.output(ctx)),
            (8 * nested, lambda: self.if_statement(ctx)),
            (4 * nested, lambda: self.while_loop(ctx)),
            (5 * nested, lambda: self.for_range(ctx)),
            (3 * nested, lambda: self.for_each(ctx)),
            (5 * nested, lambda: self.try_statement(ctx)),
            (4, lambda: self.array_change(ctx)),
            (3, lambda: self.map_change(ctx)),
            (2 * nested, lambda: self.closures_in_loop(ctx)),
            (2, lambda: self.counter_closure(ctx)),
            (4, lambda: self.object_use(ctx)),
            (2 * nested * ctx.calls, lambda: self.object_loop(ctx)),
            (1 * nested * ctx.calls, lambda: self.linked_list(ctx)),
            (2 * ctx.calls, lambda: self.call_statement(ctx)),
            (3 * ctx.throws, lambda: self.throw(ctx)),
            (4 * (ctx.loops > 0), lambda: self.loop_exit(ctx)),
            (2 * (ctx.depth > 0 and ctx.returns), lambda: self.early_return(ctx)),
        ]) or self.output(ctx)

    def declarations(self, ctx, n):
        """n declarations, so that a body starts with locals of its own."""
        return [line for _ in range(n) for line in self.declaration(ctx)]

    def declaration(self, ctx):
        t = self.value_type(ctx)
        name = self.fresh("v")
        nullable = t in OBJECTS and self.chance(0.25) or t == STRING and self.chance(0.05)
        if nullable:
            ctx.add(Var(name, t, nullable=True))
            return [f"var {name}: {t} = null"]
        if t == FLOAT and self.chance(0.3):
            value = self.int_expr(ctx, 2)  # widened
        elif t == FUN:
            value = self.fun_expr(ctx, long=True)
        else:
            value = self.expr(ctx, t, 3)
        mutable = self.chance(0.7)
        ctx.add(Var(name, t, mutable))
        return [f"{'var' if mutable else 'let'} {name}: {t} = {value}", f'println("{self.tag()} {name}=${{{name}}}")']

    def assignment(self, ctx):
        vs = ctx.vars(lambda v: v.mutable)
        if not vs:
            return None
        v = self.choice(vs)
        t, x = v.type, v.name
        if v.nullable:
            value = "null" if self.chance(0.3) else self.expr(ctx, t, 2)
            return [f"{x} = {value}"]
        forms = [(4, lambda: [f"{x} = {self.fun_expr(ctx, long=True) if t == FUN else self.expr(ctx, t, 3, grow=False)}"])]
        if t == INT:
            forms += [(3, lambda: [f"{x} = {x} {self.choice(['+', '-', '*'])} {self.int_expr(ctx, 1)}"]),
                      (1, lambda: [f"{x} = {self.choice(['-', '~'])}{x}"]),
                      (1, lambda: [f"{x} = ({x} * {self.choice(INT_LITERALS)}) {self.choice(['+', '^'])} {x}"])]
        if t == FLOAT:
            forms += [(3, lambda: [f"{x} = {x} {self.choice(['+', '-', '*', '/'])} {self.float_expr(ctx, 1)}"]),
                      (1, lambda: [f"{x} = {self.int_expr(ctx, 1)}"])]
        if t == BOOL:
            forms.append((2, lambda: [f"{x} = !{x}"]))
        if t == STRING:
            forms.append((3, lambda: [f"{x} = {x} + {self.string_expr(ctx, 1, grow=False)}"]))
        forms.append((3, lambda: self.apply(ctx, v)))
        forms.append((2, lambda: self.swap(ctx, v)))
        return self.pick(forms) + [f'println("{self.tag()} {x}=${{{x}}}")']

    def apply(self, ctx, v):
        """x = f(x, ...) with a function or closure."""
        if not ctx.calls:
            return None
        g = self.var_of(ctx, FUN)
        if v.type == INT and g and ctx.afford(LAMBDA_BUDGET):
            return [f"{v.name} = {g}({v.name})"]
        fs = [f for f in ctx.funcs if f.ret == v.type and f.params and f.params[0].type == v.type
              and (ctx.throws or not f.throws)]
        if not fs:
            return None
        f = self.choice(fs)
        if not ctx.afford(f.cost):
            return None
        rest = self.args(ctx, [p.type for p in f.params[1:]], 2)
        return [f"{v.name} = {f.name}({v.name}{', ' + rest if rest else ''})"]

    def swap(self, ctx, v):
        others = [w for w in ctx.vars(lambda w: w.mutable and not w.nullable and w.type == v.type) if w is not v]
        if not others:
            return None
        w = self.choice(others)
        t = self.fresh("t")
        return [f"let {t}: {v.type} = {v.name}", f"{v.name} = {w.name}", f"{w.name} = {t}"]

    def compound(self, ctx):
        """x op= e on a local, module variable, field, array element or map entry."""
        t = self.choice([INT, INT, INT, FLOAT, STRING])
        targets = [v.name for v in ctx.vars(lambda v: v.mutable and v.type == t and not v.nullable)]
        targets += [f"{v.name}.{n}" for v in ctx.vars(lambda v: v.type in OBJECTS and not v.nullable)
                    for n, ft in field_list(v.type) if ft == t]
        arrays = self.readable(ctx, "[" + t + "]")
        if arrays:
            a = self.choice(arrays).name
            targets.append(f"{a}[{self.index(ctx, a)}]")
        m = self.var_of(ctx, MAP)
        if t == INT and m and (not targets or self.chance(0.3)):
            k = self.key(ctx)
            line = f"{m}[{k}] {self.without_calls(ctx, lambda c: self.update(c, INT))}"
            if not self.risky(ctx, 0.5):
                line = f"if {m}.has({k}) {{\n    {line}\n}}"
            return [line, f'println("{self.tag()} ${{{m}}}")']
        if not targets:
            return None
        target = self.choice(targets)
        if "[" in target:
            update = self.without_calls(ctx, lambda c: self.update(c, t))
        else:
            update = self.update(ctx, t)
        return [f"{target} {update}", f'println("{self.tag()} ${{{target}}}")']

    def update(self, ctx, t):
        """The operator and value of a compound assignment to a t."""
        if t == FLOAT:
            value = self.float_expr(ctx, 2) if self.chance(0.7) else self.int_expr(ctx, 1)
            return f"{self.choice(['+=', '-=', '*=', '/='])} {value}"
        if t == STRING:
            return f"+= {self.string_expr(ctx, 1, grow=False)}"
        op = self.choice(["+=", "-=", "*=", "&=", "|=", "^=", "<<=", ">>=", "/=", "%="])
        if op in ("/=", "%=") and not self.risky(ctx, 0.5):
            return f"{op} {self.choice(['3', '-1', '7', f'({self.int_expr(ctx, 1)} | 1)'])}"
        return f"{op} {self.int_expr(ctx, 2)}"

    def output(self, ctx):
        t = self.value_type(ctx)
        if self.chance(0.5):
            return [f"println({self.expr(ctx, t, 3)})"]
        if self.chance(0.2):
            return [f"print({self.expr(ctx, t, 2)})", f'println(" {self.tag()}")']
        return [f'println("{self.tag()} ${{{self.expr(ctx, t, 3)}}} ${{{self.expr(ctx, INT, 2)}}}")']

    def condition(self, ctx):
        """A bool expression, mostly comparisons that can fuse with the branch."""
        return self.pick([(6, lambda: self.comparison(ctx, 2)), (3, lambda: self.bool_expr(ctx, 2)),
                          (1, lambda: self.null_test(ctx)),
                          (2, lambda: f"{self.comparison(ctx, 1)} {self.choice(['&&', '||'])} {self.comparison(ctx, 1)}"),
                          (1, lambda: f"!({self.comparison(ctx, 1)})"),
                          (1, lambda: f"({self.comparison(ctx, 1)}) == ({self.comparison(ctx, 1)})")])

    def small_block(self, ctx, extra=()):
        return indent([f'println("{self.tag()}")'] + self.block(ctx, self.rng.randint(1, 3), extra))

    def if_statement(self, ctx):
        out = [f"if {self.condition(ctx)} {{"] + self.small_block(ctx)
        for _ in range(self.rng.choice([0, 0, 1, 2])):
            out += [f"}} else if {self.condition(ctx)} {{"] + self.small_block(ctx)
        if self.chance(0.5):
            out += ["} else {"] + self.small_block(ctx)
        return out + ["}"]

    def loop_body(self, ctx, count, extra=(), head=()):
        """The lines of a loop body run at most count times per entry."""
        if ctx.mult * count > MAX_MULT:
            return None
        ctx.mult *= count
        ctx.loops += 1
        ctx.scopes.append(list(extra))
        ctx.depth += 1
        body = list(head) + [f'println("{self.tag()}")'] + self.statements(ctx, self.rng.randint(1, 4))
        ctx.depth -= 1
        ctx.scopes.pop()
        ctx.loops -= 1
        ctx.mult //= count
        return indent(body)

    def while_loop(self, ctx):
        """A while loop bounded by a counter that only its first statement changes."""
        w = self.fresh("w")
        count = self.rng.randint(1, 8)
        lines = [f"var {w} = 0"]
        limit = str(count)
        if self.chance(0.5):  # a test of two locals, which the translator moves to the loop's end
            limit = self.fresh("lim")
            lines.append(f"let {limit} = {count}")
        bound = self.choice([f"{w} < {limit}", f"{limit} > {w}", f"{w} != {limit}", f"{w} <= {limit} - 1"])
        step = [f"{w} += 1"]
        shape = self.choice(["counter", "and", "break", "float"])
        if shape == "float":
            fl = self.fresh("fl")
            lines.append(f"var {fl}: float = {self.float_expr(ctx, 1)}")
            test = f"{fl} {self.choice(['<', '<=', '>', '>=', '!=', '=='])} {self.float_expr(ctx, 1)} && {bound}"
            step.append(f"{fl} = {fl} {self.choice(['*', '+', '-', '/'])} {self.choice(FLOAT_LITERALS)}")
        elif shape == "break":
            test = "true"
            step.append(f"if {w} > {limit} {{\n    break\n}}")
        else:
            test = bound if shape == "counter" else f"{bound} && ({self.condition(ctx)})"
        body = self.loop_body(ctx, count + 1, head=step)
        if body is None:
            return None
        return lines + [f"while {test} {{"] + body + ["}", f'println("{self.tag()} {w}=${{{w}}}")']

    def for_range(self, ctx):
        i = self.fresh("i")
        lo = self.rng.randint(-3, 4)
        count = self.rng.randint(0, 6)
        hi = str(lo + count)
        if self.chance(0.3):
            hi = f"{lo} + ({self.int_expr(ctx, 1)} & {self.choice(['3', '7'])})"
            count = 8
        op = self.choice(["..", "..="])
        body = self.loop_body(ctx, count + 1, [Var(i, INT)])
        if body is None:
            return None
        return [f"for {i} in {lo}{op}{hi} {{"] + body + ["}"]

    def for_each(self, ctx):
        x = self.fresh("e")
        kind = self.choice([INTS, FLOATS, STRINGS, MAP, STRING])
        if kind == MAP:
            source, var, count = self.map_expr(ctx, 1), Var(x, STRING), 6
        elif kind == STRING:
            s = self.var_of(ctx, STRING)
            source = f"{s}.slice(0, min(5, {s}.len()))" if s else self.choice(STRING_LITERALS)
            var, count = Var(x, INT), 5
        else:
            source, var, count = self.array_expr(ctx, kind, 1), Var(x, ELEMENT[kind]), 8
        body = self.loop_body(ctx, count, [var])
        if body is None:
            return None
        return [f"for {x} in {source} {{"] + body + ["}"]

    def try_statement(self, ctx):
        outer = ctx.throws
        ctx.throws = True
        body = self.block(ctx, self.rng.randint(1, 4))
        ctx.throws = outer
        out = ["try {"] + indent(body)
        # Outside code that may throw, errors must not escape: the last catch takes all.
        classes = self.rng.sample(ERRORS, self.rng.randint(0, 2))
        if not outer or self.chance(0.5):
            classes.append("Error")
        elif self.chance(0.2):
            classes = []
        if "Err1" in classes and "Err2" in classes:  # the subclass first, or its catch is never reached
            classes.remove("Err2")
            classes.insert(0, "Err2")
        for cls in classes:
            e = self.fresh("err")
            detail = f"${{{e}.code}}" if cls in ("Err1", "Err2") else f"${{{e}.message}}"
            shown = self.var_of(ctx, self.choice([INT, FLOAT, STRING, INTS]))  # a local the try may have changed
            handler = [f'println("{self.tag()} caught {cls}: {detail}' + (f' ${{{shown}}}' if shown else "") + '")']
            handler += self.block(ctx, self.rng.randint(0, 2), [Var(e, "Error", mutable=False)])
            if outer and self.chance(0.1):
                handler.append(f"throw {e}")
            out += [f"}} catch {e}: {cls} {{"] + indent(handler)
        if not classes or self.chance(0.4):
            out += ["} finally {"] + indent([f'println("{self.tag()} finally")'] + self.block(ctx, self.rng.randint(0, 2)))
        return out + ["}"]

    def array_change(self, ctx):
        t = self.choice([INTS, FLOATS, STRINGS])
        a = self.var_of(ctx, t)
        if a is None:
            return None
        elem = ELEMENT[t]
        value = lambda d: self.without_calls(ctx, lambda c: self.expr(c, elem, d, grow=False))
        change = self.pick([
            (4, lambda: [f"if {a}.len() < 8 {{", f"    {a}.push({self.expr(ctx, elem, 2, grow=False)})", "}"]),
            (2, lambda: [f"if {a}.len() > 1 {{", f"    println({a}.pop())", "}"]),
            (1, lambda: [f"if {a}.len() > 1 {{", f"    {a}.removeAt({self.index(ctx, a)})", "}"]),
            (1, lambda: [f"if {a}.len() < 8 {{", f"    {a}.insert({a}.len() / 2, {value(1)})", "}"]),
            (1, lambda: [f"{a}.{self.choice(['sort()', 'reverse()'])}"]),
            (3, lambda: [f"{a}[{self.index(ctx, a)}] = {value(2)}"]),
            (1, lambda: [f"println({a}.slice(0, 0).pop())"] if self.risky(ctx, 0.5) else None),
        ])
        return change + [f'println("{self.tag()} ${{{a}}}")']

    def map_change(self, ctx):
        m = self.var_of(ctx, MAP)
        if m is None:
            return None
        return self.pick([
            (3, lambda: [f"{m}[{self.key(ctx)}] = {self.int_expr(ctx, 2)}"]),
            (1, lambda: [f"{m}.remove({self.key(ctx)})"]),
            (1, lambda: [f"println({m}[{self.key(ctx)}])"] if self.risky(ctx, 0.5) else None),
            (1, lambda: [f"println({m}.keys())", f"println({m}.values())"]),
        ]) + [f'println("{self.tag()} ${{{m}}}")']

    def closures_in_loop(self, ctx):
        """Closures made in a loop each capture their own loop variable."""
        fs, i, g, x = self.fresh("fs"), self.fresh("i"), self.fresh("g"), self.fresh("x")
        if not ctx.afford(4 * LAMBDA_BUDGET):
            return None
        count = self.rng.randint(1, 4)
        return [f"var {fs}: [{FUN}] = []",
                f"for {i} in 0..{count} {{",
                f"    {fs}.push(({x}: int) => {x} * {i} + {self.int_leaf(ctx)})",
                "}",
                f"for {g} in {fs} {{",
                f'    println("{self.tag()} ${{{g}({self.int_leaf(ctx)})}}")',
                "}"]

    def counter_closure(self, ctx):
        """A closure that changes a local of its maker, used on both sides."""
        c, f, d = self.fresh("cnt"), self.fresh("inc"), self.fresh("d")
        if not ctx.afford(3 * LAMBDA_BUDGET):
            return None
        op = self.choice(["+=", "-=", "*=", "^="])
        lines = [f"var {c}: int = {self.int_leaf(ctx)}",
                 f"let {f}: {FUN} = fun({d}: int): int {{", f"    {c} {op} {d}", f"    return {c}", "}"]
        ctx.add(Var(c, INT))
        ctx.add(Var(f, FUN, mutable=False))
        return lines + [f"{c} = {c} + {self.choice(SMALL_INTS)}",
                        f'println("{self.tag()} ${{{f}({self.int_leaf(ctx)})}} ${{{c}}}")',
                        f"{c} {op} {f}({c})",
                        f'println("{self.tag()} ${{{c}}}")']

    def object_use(self, ctx):
        """A null check, downcast, field write or virtual call on an object variable."""
        objs = ctx.vars(lambda v: v.type in OBJECTS)
        if not objs:
            return None
        v = self.choice(objs)
        if v.nullable:
            if not ctx.calls or not ctx.afford(METHOD_COST):
                return [f'println("{self.tag()} ${{{v.name} == null}}")']
            if self.risky(ctx, 0.3):
                return [f"println({v.name}.value())"]
            return [f"if {v.name} != null {{", f'    println("{self.tag()} ${{{v.name}.value()}}")', "} else {",
                    f'    println("{self.tag()} {v.name} null")', "}"]
        subs = [c for c in OBJECTS if is_subtype(c, v.type) and c != v.type]
        if subs and self.chance(0.6):
            c = self.choice(subs)
            if self.risky(ctx, 0.4):
                return [f"println({v.name} as {c})"]
            y = self.fresh("c")
            return [f"if {v.name} is {c} {{", f"    let {y}: {c} = {v.name} as {c}",
                    f'    println("{self.tag()} is {c}: ${{{y}}}")', "}"]
        fields = field_list(v.type)
        if fields and self.chance(0.5):
            name, t = self.choice(fields)
            return [f"{v.name}.{name} = {self.expr(ctx, t, 2, grow=False)}", f'println("{self.tag()} ${{{v.name}.{name}}}")']
        if not ctx.calls or not ctx.afford(METHOD_COST):
            return None
        shown = f"{v.name}.value()" if v.type in ("Valued", "Solo") else v.name
        return [f'println("{self.tag()} ${{{shown}}}")']

    def object_loop(self, ctx):
        """Virtual and interface calls at one call site on objects of several classes."""
        count = self.rng.randint(2, 5)
        t = self.choice(["Valued", "Base"])
        if ctx.mult * count > MAX_MULT or not ctx.afford(count * (METHOD_COST + CONSTRUCTOR_COST)):
            return None
        xs, o = self.fresh("objs"), self.fresh("o")
        items = ", ".join(self.object_expr(ctx, t, 1) for _ in range(count))
        call = "value()" if t == "Valued" else self.choice(["value()", "kind()", f"bump({self.int_leaf(ctx)})"])
        return [f"let {xs}: [{t}] = [{items}]", f"for {o} in {xs} {{",
                f'    println("{self.tag()} ${{{o}.{call}}} ${{{o} is A}}")',
                f"    if {o} is {self.choice(['B', 'C'])} {{", f'        println("{self.tag()} ${{{o}}}")', "    }", "}"]

    def linked_list(self, ctx):
        """A list through the field next, walked with cur = cur.next."""
        count = self.rng.randint(1, 4)
        if ctx.mult * 6 > MAX_MULT or not ctx.afford(count * CONSTRUCTOR_COST + 6 * METHOD_COST):
            return None
        head, i, node, cur, steps = (self.fresh(p) for p in ("head", "i", "node", "cur", "steps"))
        return [f"var {head}: Base = null",
                f"for {i} in 0..{count} {{",
                f"    let {node}: Base = {self.object_expr(ctx, 'Base', 1)}",
                f"    {node}.next = {head}",
                f"    {head} = {node}",
                "}",
                f"var {cur}: Base = {head}",
                f"var {steps} = 0",
                f"while {cur} != null && {steps} < 6 {{",  # a node used twice makes a cycle
                f"    {steps} += 1",
                f'    println("{self.tag()} ${{{cur}.kind()}} ${{{cur}.value()}}")',
                f"    {cur} = {cur}.next",
                "}"]

    def call_statement(self, ctx):
        fs = [f for f in ctx.funcs if ctx.throws or not f.throws]
        if not fs:
            return None
        f = self.choice(fs)
        if not ctx.afford(f.cost):
            return None
        call = f"{f.name}({self.args(ctx, [p.type for p in f.params], 2)})"
        return [call] if f.ret == VOID else [f'println("{self.tag()} ${{{call}}}")']

    def throw(self, ctx):
        error = self.choice([f"Err1({self.int_expr(ctx, 1)})", f"Err2({self.int_expr(ctx, 1)})",
                             f"ValueError({self.string_expr(ctx, 1, grow=False)})", 'Error("plain")'])
        return [f"if {self.condition(ctx)} {{", f"    throw {error}", "}"]

    def loop_exit(self, ctx):
        return [f"if {self.condition(ctx)} {{", f'    println("{self.tag()}")',
                f"    {self.choice(['break', 'continue'])}", "}"]

    def early_return(self, ctx):
        value = "" if ctx.ret == VOID else " " + self.expr(ctx, ctx.ret, 2)
        return [f"if {self.condition(ctx)} {{", f"    return{value}", "}"]

    # ---- declarations ----

    def method_ctx(self, cls, params, ret, constructor=False):
        """A context for a method body of cls: fields by bare name (except in
        constructors, whose parameters may share their names), parameters."""
        scope = [Var("this", cls, mutable=False)]
        if not constructor:
            scope += [Var(n, t) for n, t in field_list(cls)]
        scope += [Var(n, t) for n, t in params]
        ctx = Ctx([list(self.globals), scope], ret, METHOD_BUDGET, calls=False)
        ctx.depth = 1
        return ctx

    def method(self, cls, header, params, ret, result, body_lines=None):
        ctx = self.method_ctx(cls, params, ret)
        body = self.statements(ctx, self.rng.randint(0, 3)) if body_lines is None else body_lines
        return [f"    {header} {{"] + indent(body + [f"return {result(ctx)}"], 2) + ["    }"]

    def classes(self):
        int_lit = lambda: self.choice(SMALL_INTS + INT_LITERALS[:12])
        base_init = self.method_ctx("Base", [("n", INT), ("s", STRING)], VOID, constructor=True)
        a_init = self.method_ctx("A", [("n", INT)], VOID, constructor=True)
        out = ["interface Valued {", "    fun value(): int", "}", "",
               "abstract class Base implements Valued {",
               "    var n: int", f"    var f: float = {self.choice(FLOAT_LITERALS)}", "    var s: string",
               f"    var items: [int] = [{int_lit()}, {int_lit()}]", "    var next: Base",
               "    new(n: int, s: string) {"]
        out += indent(["this.n = n", "this.s = s"] + self.statements(base_init, self.rng.randint(0, 2)), 2)
        out += ["    }", "    abstract fun kind(): string"]
        out += self.method("Base", "fun value(): int", [], INT, lambda c: self.int_expr(c, 2))
        out += self.method("Base", "fun bump(d: int): int", [("d", INT)], INT, lambda c: self.int_expr(c, 2))
        out += self.method("Base", "fun check(x: int): int", [("x", INT)], INT, lambda c: "x",
                           [f"if x > {int_lit()} {{", "    throw Err1(x)", "}"])
        out += ['    fun toString(): string {', '        return "${kind()}(${n}, ${s})"', "    }", "}", "",
                "class A extends Base {", f"    var extra: int = {int_lit()}", "    new(n: int) {"]
        out += indent(['super(n, "A")'] + self.statements(a_init, self.rng.randint(0, 2)), 2)
        out += ["    }", '    override fun kind(): string {', '        return "A"', "    }"]
        out += self.method("A", "override fun value(): int", [], INT,
                           lambda c: f"super.value() {self.choice(['+', '-', '*'])} {self.int_expr(c, 1)}")
        out += ["}", "", "class B extends A {", "    var g: float", "    new(n: int, g: float) {",
                "        super(n + 1)", "        this.g = g", "    }",
                '    override fun kind(): string {', '        return "B" + str(extra)', "    }"]
        out += self.method("B", "override fun bump(d: int): int", [("d", INT)], INT,
                           lambda c: f"super.bump(d) {self.choice(['+', '^'])} {self.int_expr(c, 1)}")
        out += self.method("B", "override fun check(x: int): int", [("x", INT)], INT, lambda c: "super.check(x + 1)",
                           [f"if x < {int_lit()} {{", "    throw Err2(x)", "}"])
        out += ["}", "", "class C extends Base {", "    new(n: int) {", '        super(n * 3, "C")', "    }",
                '    override fun kind(): string {', '        return "C"', "    }"]
        out += self.method("C", "override fun value(): int", [], INT, lambda c: self.int_expr(c, 2))
        out += ["}", "", "class Solo implements Valued {", f"    var v: int = {int_lit()}"]
        out += self.method("Solo", "fun value(): int", [], INT, lambda c: "v", ["v += 1"])
        out += ["}", "",
                "class Err1 extends Error {", "    let code: int", "    new(code: int) {",
                '        super("err1 code ${code}")', "        this.code = code", "    }", "}", "",
                "class Err2 extends Err1 {", "    new(code: int) {", "        super(code * 2)", "    }", "}"]
        return out

    def module_variables(self):
        out = []
        for t in [INT, FLOAT, STRING, INTS][: self.rng.randint(1, 4)]:
            g = self.fresh("g")
            value = {INT: self.choice(INT_LITERALS), FLOAT: self.choice(FLOAT_LITERALS),
                     STRING: self.choice(STRING_LITERALS), INTS: f"[{self.choice(SMALL_INTS)}]"}[t]
            out.append(f"var {g}: {t} = {value}")
            self.globals.append(Var(g, t))
        return out

    def function(self):
        name = self.fresh("f")
        params = [Var(f"p{i}", self.choice([INT, INT, FLOAT, STRING, BOOL, INTS, MAP, FUN, "Base", "Valued"]))
                  for i in range(self.rng.randint(0, 3))]
        ret = self.choice([INT, INT, FLOAT, STRING, BOOL, VOID, INTS])
        throws = self.chance(0.3)
        ctx = Ctx([list(self.globals), list(params)], ret, FUNCTION_BUDGET, throws=throws, funcs=self.funcs)
        body = self.declarations(ctx, self.rng.randint(0, 2)) + self.statements(ctx, self.rng.randint(2, 6))
        if ret != VOID:
            body.append(f"return {self.expr(ctx, ret, 3)}")
        header = ", ".join(f"{p.name}: {p.type}" for p in params)
        result = "" if ret == VOID else f": {ret}"
        self.funcs.append(Func(name, params, ret, throws, ctx.work + 1))
        return [f"fun {name}({header}){result} {{"] + indent(body) + ["}"]

    def recursive(self):
        """rec(n, acc): recursion as deep as n, which callers keep below 16."""
        name = self.fresh("rec")
        n, acc = Var("n", INT, mutable=False), Var("acc", INT)  # n only falls
        ctx = Ctx([list(self.globals), [n, acc]], INT, 20, funcs=[])
        ctx.depth = 1
        body = self.statements(ctx, self.rng.randint(0, 2))
        step = self.int_expr(ctx, 2)
        self.funcs.append(Func(name, [n, acc], INT, False, 16 * (ctx.work + 2)))
        return [f"fun {name}(n: int, acc: int): int {{", f"    if n {self.choice(['<=', '<', '=='])} 0 {{",
                "        return acc", "    }"] + indent(body) + [
                f"    return {name}((n & 15) - 1, {step})", "}"]

    def fib(self):
        name = self.fresh("fib")
        self.funcs.append(Func(name, [Var("n", INT)], INT, False, 180))
        return [f"fun {name}(n: int): int {{", "    let m = n & 7", "    if m < 2 {", "        return m", "    }",
                f"    return {name}(m - 1) + {name}(m - 2) {self.choice(['+', '-', '*'])} {self.choice(SMALL_INTS)}", "}"]

    def overflow(self):
        """A recursion that runs out of stack, caught in main."""
        return ["fun deep(n: int): int {", "    return deep(n + 1) + 1", "}"]

    def program(self):
        out = ["import math", ""] + self.module_variables() + [""] + self.classes() + [""]
        out += self.recursive() + [""]
        if self.chance(0.5):
            out += self.fib() + [""]
        for _ in range(self.rng.randint(2, 5)):
            out += self.function() + [""]
        ret = INT if self.chance(0.2) else VOID
        ctx = Ctx([list(self.globals), []], ret, MAIN_BUDGET, funcs=self.funcs)
        ctx.returns = False
        body = self.declarations(ctx, self.rng.randint(2, 5)) + self.statements(ctx, self.rng.randint(12, 30))
        if self.chance(0.1):
            out += self.overflow() + [""]
            body += ["try {", "    println(deep(0))", "} catch so: StackOverflowError {",
                     '    println("overflow: ${so.message}")', "}"]
        if self.chance(0.25):  # a tail that may end the run with an uncaught error
            ctx.throws = True
            ctx.budget += 200
            body += self.statements(ctx, self.rng.randint(2, 6))
        if ret == INT:
            body.append(f"return {self.int_expr(ctx, 2)} & 63")
        out += [f"fun main(){': int' if ret == INT else ''} {{"] + indent(body) + ["}"]
        return "\n".join(out) + "\n"


def indent(lines, levels=1):
    """lines (which may hold newlines) indented by levels of four spaces."""
    pad = "    " * levels
    return [pad + part for line in lines for part in line.split("\n")]


def generate(seed):
    """The program of a seed."""
    return Generator(seed).program()


def main():
    parser = argparse.ArgumentParser(description="Prints a random Nido program.")
    parser.add_argument("--seed", type=int, required=True)
    print(generate(parser.parse_args().seed), end="")


if __name__ == "__main__":
    main()
