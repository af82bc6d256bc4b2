// Compile errors: collected while compiling, printed as
//   file.nd:line:col: error: message
//       the source line
//       ^
// At most kMaxErrors are kept per run; the compiler stops early past that.
#pragma once

#include <string>
#include <vector>

#include "compiler/ast.hpp"

namespace nido::compiler {

struct Diagnostic {
    std::string path;  // file as given on the command line or resolved by import
    Loc loc;
    std::string message;
};

class Diagnostics {
public:
    static constexpr size_t kMaxErrors = 20;

    // Records an error; source is the whole text of the file, for the caret line.
    void error(const std::string& path, const std::string& source, Loc loc, std::string message);
    bool hasErrors() const { return !errors_.empty(); }
    bool full() const { return errors_.size() >= kMaxErrors; }
    const std::vector<Diagnostic>& errors() const { return errors_; }
    // All errors in the order reported, formatted for a terminal.
    std::string format() const;

private:
    std::vector<Diagnostic> errors_;
    std::vector<std::string> sourceLines_;  // the caret lines, parallel to errors_
};

}  // namespace nido::compiler
