// nido-vmm: a thin driver for the micro-VM library, for testing it alone.
//   nido-vmm [--mem SIZE] [--timeout S] [--file HOST:GUEST] [--allow-read[=P,..]]
//            [--allow-write[=P,..]] [--env NAME=VALUE] [--stats] ELF [args...]
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "vmm.hpp"

namespace {

using nido::hv::vmm::ExitStat;
using nido::hv::vmm::MicroVmConfig;
using nido::hv::vmm::MicroVmResult;
using nido::hv::vmm::PathPermission;

constexpr int kUsageStatus = 2;

constexpr const char* kUsage =
    "usage: nido-vmm [--mem SIZE] [--timeout S] [--file HOST:GUEST] [--allow-read[=P,...]]\n"
    "                [--allow-write[=P,...]] [--env NAME=VALUE] [--stats] ELF [args...]\n"
    "Runs a static x86-64 executable in a micro-VM with no guest kernel.\n";

// One line on stderr, status 2.
int usage(const std::string& problem) {
    std::fprintf(stderr, "nido-vmm: %s (nido-vmm --help for usage)\n", problem.c_str());
    return kUsageStatus;
}

// "512M", "2G", "65536": bytes; false on anything else.
bool parseSize(const std::string& text, uint64_t& out) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (errno || end == text.c_str()) return false;
    std::string suffix(end);
    uint64_t scale = suffix.empty()  ? 1
                     : suffix == "K" ? 1ull << 10
                     : suffix == "M" ? 1ull << 20
                     : suffix == "G" ? 1ull << 30
                                     : 0;
    if (scale == 0 || v > UINT64_MAX / scale) return false;
    out = v * scale;
    return true;
}

void parsePermission(std::string_view arg, std::string_view flag, PathPermission& p) {
    if (arg.size() == flag.size()) {
        p.all = true;
        return;
    }
    std::string list(arg.substr(flag.size() + 1));
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        if (comma > start) p.prefixes.push_back(list.substr(start, comma - start));
        start = comma + 1;
    }
}

bool flagIs(std::string_view arg, std::string_view flag) {
    return arg == flag || (arg.size() > flag.size() && arg.substr(0, flag.size()) == flag && arg[flag.size()] == '=');
}

void printStats(const MicroVmResult& r) {
    std::fprintf(stderr, "nido-vmm: %llu exits; setup %.2f ms, run %.2f ms (%.2f ms in KVM_RUN), teardown %.2f ms\n",
                 static_cast<unsigned long long>(r.exits), r.setupNanoseconds / 1e6, r.runNanoseconds / 1e6,
                 r.insideKvmRunNanoseconds / 1e6, r.teardownNanoseconds / 1e6);
    auto line = [](const std::string& name, const ExitStat& s) {
        std::fprintf(stderr, "  %-24s %8llu  %10.3f ms  %8.2f us each\n", name.c_str(),
                     static_cast<unsigned long long>(s.count), s.nanoseconds / 1e6,
                     s.count ? s.nanoseconds / 1e3 / static_cast<double>(s.count) : 0.0);
    };
    for (const auto& [name, s] : r.syscalls) line(name, s);
    for (const auto& [name, s] : r.other) line(name, s);
    for (const auto& [name, n] : r.enosys)
        std::fprintf(stderr, "  ENOSYS %-17s %8llu\n", name.c_str(), static_cast<unsigned long long>(n));
}

}  // namespace

int main(int argc, char** argv) {
    MicroVmConfig config;
    bool stats = false;
    int i = 1;
    for (; i < argc; ++i) {
        std::string_view arg = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (arg == "--mem") {
            const char* v = value();
            if (!v || !parseSize(v, config.memBytes)) return usage("--mem needs a size such as 512M or 2G");
        } else if (arg == "--timeout") {
            const char* v = value();
            char* end = nullptr;
            config.timeoutSeconds = v ? std::strtod(v, &end) : -1;
            if (!v || *end || config.timeoutSeconds <= 0) return usage("--timeout needs a positive number of seconds");
        } else if (arg == "--file") {
            const char* v = value();
            std::string spec = v ? v : "";
            size_t colon = spec.rfind(':');
            if (colon == std::string::npos || colon == 0 || colon + 1 >= spec.size() || spec[colon + 1] != '/')
                return usage("--file needs HOST:GUEST with an absolute GUEST path");
            config.files[spec.substr(colon + 1)].hostPath = spec.substr(0, colon);
        } else if (arg == "--env") {
            const char* v = value();
            size_t equals = v ? std::string_view(v).find('=') : std::string_view::npos;
            if (equals == std::string_view::npos || equals == 0) return usage("--env needs NAME=VALUE");
            config.envp.push_back(v);
        } else if (flagIs(arg, "--allow-read")) {
            parsePermission(arg, "--allow-read", config.allowRead);
        } else if (flagIs(arg, "--allow-write")) {
            parsePermission(arg, "--allow-write", config.allowWrite);
        } else if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (arg == "--stats") {
            stats = true;
        } else if (arg == "--") {
            ++i;
            break;
        } else if (arg.size() > 1 && arg[0] == '-') {
            return usage("unknown flag " + std::string(arg));
        } else {
            break;
        }
    }
    if (i >= argc) return usage("no executable given");
    config.elfPath = argv[i];
    config.argv.assign(argv + i, argv + argc);

    MicroVmResult result = nido::hv::vmm::runMicroVm(config);
    if (result.outcome != MicroVmResult::Outcome::Exited)
        std::fprintf(stderr, "nido-vmm: %s\n", result.message.c_str());
    if (stats) printStats(result);
    return result.status;
}
