// --audit=FILE and --learn (docs/sandbox-limits.md): every permission
// decision the host layer makes (host.cpp, at its one decision point) goes
// to the run's PermissionLog, which writes it to the audit file as one JSON
// line and, under --learn, remembers what the run needed:
//
//   {"op":"read","target":"/etc/hosts","decision":"allowed","rule":"--allow-read=/etc"}
//   {"op":"env","target":"HOME","decision":"denied","rule":"default deny"}
//
// The audit file is opened (created or emptied) by the runtime before the
// program starts and written with one write(2) per line, so it is complete
// however the run ends. The program may not write it, whatever it was
// granted: a write to its path is denied with the rule "audit file".
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vm/sandbox.hpp"

namespace nido::vm {

struct PermissionDecision {
    std::string_view op;      // "read", "write" or "env"
    std::string_view target;  // the absolute path as resolved, or the variable's name
    bool allowed = false;
    std::string_view rule;  // what decided: the granting flag, "default deny", ...
};

// The decision as one JSON object (no newline). Bytes that are not UTF-8
// are written as \u00XX, so the line is valid JSON whatever the path.
std::string auditLine(const PermissionDecision& d);

// The flag by which sandbox grants a on resolved: "--allow-read" (all) or
// "--allow-read=ROOT"; "" when none does. grantingEnvFlag likewise.
std::string grantingFlag(const Sandbox& sandbox, Access a, std::string_view resolved);
std::string grantingEnvFlag(const Sandbox& sandbox, std::string_view name);

// What a --learn run needed: the fewest --allow-* flags that grant every
// access added. A path below another added path needs no flag of its own;
// no path is widened to a parent that was not itself used.
class LearnedGrants {
public:
    void add(std::string_view op, std::string_view target);
    // One flag per path or name, read, write, env in that order, each
    // quoted for a POSIX shell where it needs it.
    std::vector<std::string> flags() const;

private:
    std::map<std::string, std::set<std::string>, std::less<>> byOp_;
};

// word as one POSIX shell word: unchanged when it is plain, else in single quotes.
std::string shellQuote(std::string_view word);

class PermissionLog {
public:
    // Opens auditPath (created, or emptied) when not empty. False with a
    // one-line reason in error when it cannot be opened.
    bool open(const std::string& auditPath, std::string& error);
    void setLearning(bool on) { learning_ = on; }
    bool learning() const { return learning_; }

    // Writes d to the audit file, if any; under --learn remembers an
    // allowed access. A failed write ends the run (status 1): an audit
    // with holes would mislead.
    void record(const PermissionDecision& d);
    // Whether resolved is the audit file itself.
    bool isAuditFile(std::string_view resolved) const { return file_.valid() && resolved == auditPath_; }
    // "nido: this run needed: FLAGS\n" (or that it needed none).
    std::string learnedReport() const;

private:
    Fd file_;
    std::string auditPath_;  // as the kernel names the opened file
    bool learning_ = false;
    LearnedGrants learned_;
};

}  // namespace nido::vm
