// Manifest text (docs/package.md, "Manifest") and the narrowing of a
// manifest's run options by command-line flags.
#include "vm/package_manifest.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "vm/limit_options.hpp"
#include "vm/limits.hpp"
#include "vm/option_values.hpp"
#include "vm/sandbox.hpp"

namespace nido::vm {

using namespace std::string_literals;

namespace {

constexpr size_t kMaxVersionBytes = 64;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
    return out;
}

// "*" for everything, else the list; empty when nothing is granted.
std::string grantText(bool all, const std::vector<std::string>& list) { return all ? "*" : joined(list); }

bool parseGrant(std::string_view value, bool& all, std::vector<std::string>& list) {
    if (value == "*") {
        all = true;
        return true;
    }
    auto items = parseList(listWithoutSpaces(value));
    if (items) list.insert(list.end(), items->begin(), items->end());
    return items.has_value();
}

bool setKey(std::string_view key, std::string_view value, Manifest& m) {
    RunOptions& r = m.run;
    Permissions& p = r.permissions;
    if (key == "name") {
        m.name = value;
        return validAppName(m.name);
    }
    if (key == "version") {
        m.version = value;
        return validVersion(m.version);
    }
    if (key == "entry") {
        m.entry = value;
        return !value.empty();
    }
    if (key == "allow-read") return parseGrant(value, p.readAll, p.readPaths);
    if (key == "allow-write") return parseGrant(value, p.writeAll, p.writePaths);
    if (key == "allow-env") return parseGrant(value, p.envAll, p.envNames);
    if (key == "isolate") return parseIsolate(listWithoutSpaces(value), r.isolation);
    std::string expected;
    return parseLimitOption(key, value, r, expected);
}

const std::set<std::string_view> kKnownKeys = {"name",        "version",    "entry",   "allow-read",
                                               "allow-write", "allow-env",  "isolate", "fuel",
                                               "timeout",     "max-output", "max-heap"};
// Keys that may appear on more than one line; their values add up.
const std::set<std::string_view> kListKeys = {"allow-read", "allow-write", "allow-env", "isolate"};

// What the manifest grants of one kind, for messages.
std::string ceilingText(bool all, const std::vector<std::string>& list) {
    return all ? "everything" : list.empty() ? "nothing" : joined(list);
}

bool wider(std::string& error, const std::string& label, const std::string& flag, std::string_view kind,
           const std::string& grants) {
    error = fmt::format("{} asks for more than {}'s manifest grants ({}: {})", flag, label, kind, grants);
    return false;
}

// Flag grants of one kind must lie within the manifest's.
bool narrowGrant(const std::string& label, std::string_view kind, bool flagAll,
                 const std::vector<std::string>& flagList, bool ceilingAll, const std::vector<std::string>& ceilingList,
                 bool isEnv, const std::string& cwd, std::string& error) {
    if (ceilingAll) return true;
    std::string grants = ceilingText(ceilingAll, ceilingList);
    std::string flag = fmt::format("--allow-{}", kind);
    if (flagAll) return wider(error, label, flag, kind, grants);
    for (const std::string& item : flagList) {
        bool within = std::any_of(ceilingList.begin(), ceilingList.end(), [&](const std::string& c) {
            return isEnv ? item == c : pathWithin(resolvePath(item, cwd), resolvePath(c, cwd));
        });
        if (!within) return wider(error, label, fmt::format("{}={}", flag, item), kind, grants);
    }
    return true;
}

// A limit from the flags may only be tighter than the manifest's; show
// writes a value as the messages do.
template <typename T, typename Show>
bool narrowLimit(const std::string& label, std::string_view key, T ceiling, T flag, T& out, Show show,
                 std::string& error) {
    out = flag;
    if (ceiling == 0) return true;
    if (flag == 0) {
        out = ceiling;
        return true;
    }
    if (flag <= ceiling) return true;
    error = fmt::format("--{} of {} asks for more than {}'s manifest grants ({} = {})", key, show(flag), label, key,
                        show(ceiling));
    return false;
}

// The mode the manifest gives path: its longest matching rule, or the default.
IsolationMode manifestMode(const Isolation& iso, const std::string& path, const std::string& cwd) {
    std::vector<IsolationRule> rules = iso.rules;
    for (IsolationRule& r : rules) r.path = resolvePath(r.path, cwd);
    return modeOf(iso.defaultMode, rules, path);
}

// Flags may make isolation stricter (merged < writecopy < full), never looser.
bool narrowIsolation(const std::string& label, const Isolation& ceiling, const Isolation& flags, const std::string& cwd,
                     Isolation& out, std::string& error) {
    out = flags;
    out.defaultMode = std::max(flags.defaultMode, ceiling.defaultMode);
    if (flags.defaultGiven && flags.defaultMode < ceiling.defaultMode) {
        error = fmt::format("--isolate={} asks for more than {}'s manifest grants (isolate = {})",
                            isolationModeName(flags.defaultMode), label, isolationModeName(ceiling.defaultMode));
        return false;
    }
    out.rules = ceiling.rules;
    for (const IsolationRule& r : flags.rules) {
        IsolationMode least = manifestMode(ceiling, resolvePath(r.path, cwd), cwd);
        if (r.mode < least) {
            error = fmt::format("--isolate={}:{} asks for more than {}'s manifest grants ({} for {})",
                                isolationModeName(r.mode), r.path, label, isolationModeName(least), r.path);
            return false;
        }
        std::erase_if(out.rules, [&](const IsolationRule& c) { return c.path == r.path; });
        out.rules.push_back(r);
    }
    return true;
}

}  // namespace

bool validVersion(std::string_view version) {
    return !version.empty() && version.size() <= kMaxVersionBytes &&
           std::none_of(version.begin(), version.end(), [](char c) { return c <= ' ' || c == 0x7f; });
}

std::string listWithoutSpaces(std::string_view value) {
    std::string out;
    while (true) {
        size_t comma = value.find(',');
        out += trim(value.substr(0, comma));
        if (comma == std::string_view::npos) return out;
        out += ',';
        value.remove_prefix(comma + 1);
    }
}

std::string unwritableValue(const Manifest& m) {
    auto fits = [](const std::string& v, bool listItem) {
        bool edgeSpace = !v.empty() && (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t');
        return !v.empty() && !edgeSpace && v.find_first_of(listItem ? "\n\r,\0"s : "\n\r\0"s) == std::string::npos &&
               !(listItem && v == "*");
    };
    for (const std::string* v : {&m.name, &m.version, &m.entry}) {
        if (!fits(*v, false)) return *v;
    }
    const Permissions& p = m.run.permissions;
    for (const auto* list : {&p.readPaths, &p.writePaths, &p.envNames}) {
        for (const std::string& v : *list) {
            if (!fits(v, true)) return v;
        }
    }
    for (const IsolationRule& r : m.run.isolation.rules) {
        if (!fits(r.path, true)) return r.path;
    }
    return "";
}

std::string writeManifest(const Manifest& m) {
    const RunOptions& r = m.run;
    const Permissions& p = r.permissions;
    std::string out = fmt::format("name = {}\nversion = {}\nentry = {}\n", m.name, m.version, m.entry);
    auto line = [&](std::string_view key, const std::string& value) {
        if (!value.empty()) out += fmt::format("{} = {}\n", key, value);
    };
    line("allow-read", grantText(p.readAll, p.readPaths));
    line("allow-write", grantText(p.writeAll, p.writePaths));
    line("allow-env", grantText(p.envAll, p.envNames));
    if (r.isolation.defaultMode != IsolationMode::Merged)
        line("isolate", std::string(isolationModeName(r.isolation.defaultMode)));
    for (const IsolationRule& rule : r.isolation.rules)
        line("isolate", fmt::format("{}:{}", isolationModeName(rule.mode), rule.path));
    if (r.fuel) line("fuel", std::to_string(r.fuel));
    if (r.timeoutSeconds > 0) line("timeout", fmt::format("{}", r.timeoutSeconds));
    if (r.maxOutputBytes) line("max-output", std::to_string(r.maxOutputBytes));
    if (r.maxHeapBytes) line("max-heap", std::to_string(r.maxHeapBytes));
    return out;
}

std::vector<ManifestLine> manifestLines(std::string_view text) {
    std::vector<ManifestLine> lines;
    size_t number = 0;
    for (size_t at = 0; at < text.size();) {
        size_t end = std::min(text.find('\n', at), text.size());
        std::string_view line = trim(text.substr(at, end - at));
        at = end + 1;
        number++;
        if (line.empty() || line.front() == '#') continue;
        size_t eq = line.find('=');
        bool hasEquals = eq != std::string_view::npos;
        lines.push_back({number, trim(line.substr(0, eq)), hasEquals ? trim(line.substr(eq + 1)) : "", hasEquals});
    }
    return lines;
}

bool readManifest(const std::string& text, Manifest& out, std::string& error) {
    out = Manifest{};
    std::set<std::string_view> seen;
    for (const ManifestLine& line : manifestLines(text)) {
        std::string_view key = line.key, value = line.value;
        if (!line.hasEquals || !kKnownKeys.count(key)) {
            error = fmt::format("manifest line {}: unknown key '{}'", line.number, key);
            return false;
        }
        if (!seen.insert(*kKnownKeys.find(key)).second && !kListKeys.count(key)) {
            error = fmt::format("manifest line {}: '{}' is given twice", line.number, key);
            return false;
        }
        if (value.find('\0') != std::string_view::npos || !setKey(key, value, out)) {
            error = fmt::format("manifest line {}: bad value for '{}'", line.number, key);
            return false;
        }
    }
    if (out.name.empty() || out.version.empty()) {
        error = "the manifest has no name or no version";
        return false;
    }
    return true;
}

bool applyManifest(const std::string& label, const Manifest& m, const RunOptions& flags, const std::string& cwd,
                   RunOptions& out, std::string& error) {
    out = flags;
    if (flags.learn) {
        error = fmt::format("--learn asks for more than {}'s manifest grants (it runs with every permission)", label);
        return false;
    }
    const Permissions& c = m.run.permissions;
    const Permissions& f = flags.permissions;
    bool flagsGrant =
        f.readAll || f.writeAll || f.envAll || !f.readPaths.empty() || !f.writePaths.empty() || !f.envNames.empty();
    if (!flagsGrant) {
        out.permissions = c;
    } else if (!narrowGrant(label, "read", f.readAll, f.readPaths, c.readAll, c.readPaths, false, cwd, error) ||
               !narrowGrant(label, "write", f.writeAll, f.writePaths, c.writeAll, c.writePaths, false, cwd, error) ||
               !narrowGrant(label, "env", f.envAll, f.envNames, c.envAll, c.envNames, true, cwd, error)) {
        return false;
    }
    const RunOptions& cr = m.run;
    auto number = [](uint64_t n) { return std::to_string(n); };
    if (!narrowLimit(label, "fuel", cr.fuel, flags.fuel, out.fuel, number, error) ||
        !narrowLimit(label, "timeout", cr.timeoutSeconds, flags.timeoutSeconds, out.timeoutSeconds, describeDuration,
                     error) ||
        !narrowLimit(label, "max-output", cr.maxOutputBytes, flags.maxOutputBytes, out.maxOutputBytes, describeSize,
                     error) ||
        !narrowLimit(label, "max-heap", cr.maxHeapBytes, flags.maxHeapBytes, out.maxHeapBytes, describeSize, error) ||
        !narrowIsolation(label, cr.isolation, flags.isolation, cwd, out.isolation, error)) {
        return false;
    }
    if (out.isolation.appName.empty()) out.isolation.appName = m.name;
    return true;
}

}  // namespace nido::vm
