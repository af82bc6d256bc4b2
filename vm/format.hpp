// str(): the text of every kind of value (LANGUAGE.md section 7 and
// docs/vm-contract.md "str and printing").
//
// Floats print like Python's repr: the shortest digits that read back as
// the same double, in positional form when the decimal exponent is in
// [-4, 16) ("0.0001", "1e-05", "1000000000000000.0", "1e+16"). Strings
// inside arrays and maps are double-quoted with \" and \\ escaped. Objects
// use toString() when their class has one (run through the interpreter),
// else ClassName@N with N given on first print. (Static types rule out a
// container that contains itself.)
#pragma once

#include <string>

#include "vm/interpreter.hpp"

namespace nido::vm {

void appendFloat(std::string& out, double d);
std::string formatFloat(double d);

// Appends s in double quotes with " and \ escaped ("null" unquoted for null).
void appendQuoted(std::string& out, const String* s);

// Appends str(v) for a value of kind k; quote asks for strings quoted (an
// element of a container). Returns false with an error pending when a
// toString() threw.
bool appendValue(Vm& vm, std::string& out, Value v, ValKind k, bool quote);

// str(v) as a new string; nullptr with an error pending on failure.
String* stringOf(Vm& vm, Value v, ValKind k);

}  // namespace nido::vm
