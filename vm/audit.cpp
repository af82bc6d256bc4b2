// The permission log of --audit and --learn (see audit.hpp).
#include "vm/audit.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "vm/host.hpp"

namespace nido::vm {
namespace {

// The length of the UTF-8 sequence starting at s[i], 0 when it is not one
// (overlong forms, surrogates and values past U+10FFFF included).
size_t utf8Length(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return k < s.size() ? uint8_t(s[k]) : 0; };
    auto cont = [&](size_t k, uint8_t lo = 0x80, uint8_t hi = 0xBF) { return byte(k) >= lo && byte(k) <= hi; };
    uint8_t c = byte(i);
    if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        bool second = c == 0xE0 ? cont(i + 1, 0xA0) : c == 0xED ? cont(i + 1, 0x80, 0x9F) : cont(i + 1);
        return second && cont(i + 2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        bool second = c == 0xF0 ? cont(i + 1, 0x90) : c == 0xF4 ? cont(i + 1, 0x80, 0x8F) : cont(i + 1);
        return second && cont(i + 2) && cont(i + 3) ? 4 : 0;
    }
    return 0;
}

void appendJsonString(std::string& out, std::string_view s) {
    out += '"';
    for (size_t i = 0; i < s.size();) {
        uint8_t c = uint8_t(s[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c >= 0x20 && c < 0x80) {
            out += char(c);
        } else if (size_t n = c >= 0x80 ? utf8Length(s, i) : 0) {
            out.append(s.substr(i, n));
            i += n;
            continue;
        } else {
            out += fmt::format("\\u{:04x}", c);
        }
        i++;
    }
    out += '"';
}

bool plainShellWord(std::string_view word) {
    return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        return std::isalnum(uint8_t(c)) || std::strchr("_-./=:,+@%", c) != nullptr;
    });
}

}  // namespace

std::string auditLine(const PermissionDecision& d) {
    std::string out = "{\"op\":";
    appendJsonString(out, d.op);
    out += ",\"target\":";
    appendJsonString(out, d.target);
    out += d.allowed ? ",\"decision\":\"allowed\",\"rule\":" : ",\"decision\":\"denied\",\"rule\":";
    appendJsonString(out, d.rule);
    out += '}';
    return out;
}

std::string grantingFlag(const Sandbox& sandbox, Access a, std::string_view resolved) {
    std::string flag = a == Access::Read ? "--allow-read" : "--allow-write";
    if (sandbox.grantsAll(a)) return flag;
    for (const std::string& root : sandbox.roots(a)) {
        if (pathWithin(resolved, root)) return flag + "=" + root;
    }
    return "";
}

std::string grantingEnvFlag(const Sandbox& sandbox, std::string_view name) {
    if (!sandbox.allowsEnv(name)) return "";
    return sandbox.grantsAllEnv() ? "--allow-env" : fmt::format("--allow-env={}", name);
}

void LearnedGrants::add(std::string_view op, std::string_view target) { byOp_[std::string(op)].emplace(target); }

std::vector<std::string> LearnedGrants::flags() const {
    std::vector<std::string> out;
    for (std::string_view op : {"read", "write", "env"}) {
        auto it = byOp_.find(op);
        if (it == byOp_.end()) continue;
        std::vector<std::string_view> kept;
        for (const std::string& t : it->second) {
            // In sorted order a path comes after its ancestors.
            bool covered = op != "env" && std::any_of(kept.begin(), kept.end(),
                                                      [&](std::string_view root) { return pathWithin(t, root); });
            if (covered) continue;
            kept.push_back(t);
            out.push_back(shellQuote(fmt::format("--allow-{}={}", op, t)));
        }
    }
    return out;
}

std::string shellQuote(std::string_view word) {
    if (plainShellWord(word)) return std::string(word);
    std::string out = "'";
    for (char c : word) c == '\'' ? out += "'\\''" : out += c;
    return out + "'";
}

bool PermissionLog::open(const std::string& auditPath, std::string& error) {
    if (auditPath.empty()) return true;
    // HOST: open(2) of the file the user named for the audit, before the
    // program runs and outside its sandbox (the flag is the user's).
    file_ = Fd(::open(auditPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!file_.valid()) {
        error = fmt::format("cannot open the audit file \"{}\": {}", auditPath, std::strerror(errno));
        return false;
    }
    std::optional<std::string> real = fdRealPath(file_.get());
    auditPath_ = real ? *real : auditPath;
    return true;
}

void PermissionLog::record(const PermissionDecision& d) {
    if (learning_ && d.allowed) learned_.add(d.op, d.target);
    if (!file_.valid()) return;
    std::string line = auditLine(d) + "\n";
    // HOST: write(2) of the whole line at once, so every line is in the
    // file as soon as it is decided, however the run ends.
    ssize_t n;
    do {
        n = ::write(file_.get(), line.data(), line.size());
    } while (n < 0 && errno == EINTR);
    if (n == ssize_t(line.size())) return;
    int err = n < 0 ? errno : ENOSPC;
    hostWrite(HostStream::Err,
              fmt::format("nido: cannot write the audit file \"{}\": {}\n", auditPath_, std::strerror(err)));
    hostExit(1);
}

std::string PermissionLog::learnedReport() const {
    std::vector<std::string> flags = learned_.flags();
    if (flags.empty()) return "nido: this run needed no --allow-* flags\n";
    std::string out = "nido: this run needed:";
    for (const std::string& f : flags) out += " " + f;
    return out + "\n";
}

}  // namespace nido::vm
