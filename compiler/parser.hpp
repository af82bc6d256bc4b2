// The parser: one source file to the syntax tree of ast.hpp, by recursive
// descent over the lexer's tokens (precedence climbing for binary operators,
// LANGUAGE.md §4). It stops at nothing: after a syntax error it skips to the
// next statement, member or declaration and goes on, so one run reports
// several independent errors.
#pragma once

#include <memory>
#include <string>

#include "compiler/ast.hpp"
#include "compiler/diagnostics.hpp"

namespace nido::compiler {

// Parses the file at path (its text is source) into a Module named
// moduleName. Always returns a Module; when errors were reported into diags
// it is partial: a statement, member or declaration with a syntax error is
// left out, everything else is complete (no required child is null).
// Lexical and syntax errors are reported in source order.
std::unique_ptr<Module> parseModule(const std::string& path, const std::string& moduleName, const std::string& source,
                                    Diagnostics& diags);

}  // namespace nido::compiler
