// `nido hv check` and `nido hv run [flags] FILE [args...]`: the hypervisor
// bridge (hvbridge/). Flags are parsed here; the work is in hvbridge/.
#include <fmt/core.h>

#include <chrono>
#include <filesystem>
#include <optional>

#include "cli/commands.hpp"
#include "cli/flag_values.hpp"
#include "cli/program_input.hpp"
#include "hvbridge/hv_check.hpp"
#include "hvbridge/hv_run.hpp"
#include "vm/module_file.hpp"
#include "vm/option_values.hpp"
#include "vm/package_load.hpp"

namespace nido::cli {

namespace {

// Limits of the guest's machine: below 128 MiB the cloud kernel and the
// initramfs barely fit; QEMU's microvm takes at most 255 vCPUs, and more
// than the host has only slows TCG down.
constexpr uint64_t kMinMemMiB = 128;
constexpr uint64_t kMaxMemMiB = 64 * 1024;
constexpr uint64_t kMaxCpus = 64;

// "512M", "1G" or a plain number of MiB.
std::optional<uint64_t> parseMiB(std::string_view text) {
    uint64_t scale = 1;
    if (!text.empty() && (text.back() == 'G' || text.back() == 'g')) scale = 1024;
    if (!text.empty() && (text.back() == 'G' || text.back() == 'g' || text.back() == 'M' || text.back() == 'm')) {
        text.remove_suffix(1);
    }
    auto n = vm::parseNumber(text);
    if (!n || *n > kMaxMemMiB) return std::nullopt;
    return *n * scale;
}

// --allow-read or --allow-write: everything, or "=A,B" (no empty items).
bool parseGrant(std::string_view arg, std::string_view flag, hv::PathGrant& grant, std::string& error) {
    if (arg == flag) {
        grant.all = true;
        return true;
    }
    auto paths = vm::parseList(arg.substr(flag.size() + 1));
    if (!paths) {
        error = fmt::format("bad value in '{}': expected a comma-separated list of paths", arg);
        return false;
    }
    grant.paths.insert(grant.paths.end(), paths->begin(), paths->end());
    return true;
}

std::optional<hv::GuestKind> parseGuest(std::string_view v) {
    if (v == "micro") return hv::GuestKind::Micro;
    if (v == "linux") return hv::GuestKind::Linux;
    return std::nullopt;
}

std::optional<hv::AccelRequest> parseAccel(std::string_view v) {
    if (v == "auto") return hv::AccelRequest::Auto;
    if (v == "kvm") return hv::AccelRequest::Kvm;
    if (v == "tcg") return hv::AccelRequest::Tcg;
    return std::nullopt;
}

int cmdHvCheck(const Args& args) {
    hv::AccelRequest accel = hv::AccelRequest::Auto;
    std::optional<hv::GuestKind> guest;
    std::string kernel, value, error;
    for (size_t i = 0; i < args.size(); i++) {
        if (valueFlag(args, i, "--accel", value, error)) {
            if (!error.empty()) return fail(error);
            auto a = parseAccel(value);
            if (!a) return fail(fmt::format("bad value in '--accel={}': expected auto, kvm or tcg", value));
            accel = *a;
        } else if (valueFlag(args, i, "--kernel", value, error)) {
            if (!error.empty()) return fail(error);
            kernel = value;
        } else if (valueFlag(args, i, "--guest", value, error)) {
            if (!error.empty()) return fail(error);
            guest = parseGuest(value);
            if (!guest) return fail(fmt::format("bad value in '--guest={}': expected micro or linux", value));
        } else {
            return fail(fmt::format("unknown argument '{}' for hv check (see 'nido help hv')", args[i]));
        }
    }
    return hv::hvCheck(accel, kernel, guest);
}

// A package is checked and verified here, on the host, and the --allow
// flags narrowed against its manifest, before anything boots; the guest
// gets the whole package and checks it again.
int hvRunPackage(const hv::HvRunOptions& o, const std::string& path, const Args& programArgs) {
    hv::HvApp app;
    app.name = path;
    app.args = programArgs;
    std::string error;
    vm::LoadedPackage package;
    if (!vm::readBoundedFile(path, app.module, error) ||
        !vm::loadPackage(path, app.module.data(), app.module.size(), package, error))
        return fail(error);
    vm::RunOptions flags, run;
    vm::Permissions& asked = flags.permissions;
    asked.readAll = o.allowRead.all;
    asked.readPaths = o.allowRead.paths;
    asked.writeAll = o.allowWrite.all;
    asked.writePaths = o.allowWrite.paths;
    std::error_code ec;
    if (!vm::applyManifest(path, package.manifest, flags, std::filesystem::current_path(ec).string(), run, error))
        return fail(error);
    app.package = true;
    app.packageRead = {run.permissions.readAll, run.permissions.readPaths};
    app.packageWrite = {run.permissions.writeAll, run.permissions.writePaths};
    return hv::hvRun(o, app);
}

int cmdHvRun(const Args& args) {
    hv::HvRunOptions o;
    o.started = std::chrono::steady_clock::now();
    std::string value, error;
    size_t i = 0;
    for (; i < args.size() && args[i].starts_with("-"); i++) {
        const std::string& a = args[i];
        if (a == "--stats") {
            o.stats = true;
        } else if (a == "--explain") {
            o.explain = true;
        } else if (valueFlag(args, i, "--guest", value, error)) {
            if (!error.empty()) return fail(error);
            o.guest = parseGuest(value);
            if (!o.guest) return fail(fmt::format("bad value in '--guest={}': expected micro or linux", value));
        } else if (valueFlag(args, i, "--pv", value, error)) {
            if (!error.empty()) return fail(error);
            if (value != "on" && value != "off")
                return fail(fmt::format("bad value in '--pv={}': expected on or off", value));
            o.paravirtual = value == "on";
        } else if (a == "--allow-read" || a.starts_with("--allow-read=")) {
            if (!parseGrant(a, "--allow-read", o.allowRead, error)) return fail(error);
        } else if (a == "--allow-write" || a.starts_with("--allow-write=")) {
            if (!parseGrant(a, "--allow-write", o.allowWrite, error)) return fail(error);
        } else if (valueFlag(args, i, "--accel", value, error)) {
            if (!error.empty()) return fail(error);
            auto accel = parseAccel(value);
            if (!accel) return fail(fmt::format("bad value in '--accel={}': expected auto, kvm or tcg", value));
            o.accel = *accel;
        } else if (valueFlag(args, i, "--kernel", value, error)) {
            if (!error.empty()) return fail(error);
            o.kernelPath = value;
        } else if (valueFlag(args, i, "--keep-image", value, error)) {
            if (!error.empty()) return fail(error);
            o.keepImageDir = value;
        } else if (valueFlag(args, i, "--file", value, error)) {
            if (!error.empty()) return fail(error);
            auto file = hv::parseGuestFile(value, error);
            if (!file) return fail(error);
            o.files.push_back(*file);
        } else if (valueFlag(args, i, "--mem", value, error)) {
            if (!error.empty()) return fail(error);
            auto mib = parseMiB(value);
            if (!mib || *mib < kMinMemMiB || *mib > kMaxMemMiB) {
                return fail(fmt::format("bad value in '--mem={}': expected a size from {}M to {}G", value, kMinMemMiB,
                                        kMaxMemMiB / 1024));
            }
            o.memMiB = *mib;
            o.memGiven = true;
        } else if (valueFlag(args, i, "--cpus", value, error)) {
            if (!error.empty()) return fail(error);
            auto n = vm::parseNumber(value);
            if (!n || *n == 0 || *n > kMaxCpus) {
                return fail(fmt::format("bad value in '--cpus={}': expected a number from 1 to {}", value, kMaxCpus));
            }
            o.cpus = int(*n);
        } else if (valueFlag(args, i, "--timeout", value, error)) {
            if (!error.empty()) return fail(error);
            auto s = vm::parseDuration(value);
            if (!s)
                return fail(
                    fmt::format("bad value in '--timeout={}': expected a duration such as 10, 2.5s or 500ms", value));
            o.timeoutSeconds = *s;
        } else {
            return fail(fmt::format("unknown flag '{}' (see 'nido help hv')", a));
        }
    }
    if (i == args.size()) return fail("hv run needs a file (see 'nido help hv')");
    if (vm::isPackageFile(args[i])) return hvRunPackage(o, args[i], Args(args.begin() + i + 1, args.end()));
    // Compiled (or loaded) and verified here, on the host: a bad app is
    // refused before anything boots.
    auto program = loadProgram(args[i]);
    if (!program) return 2;
    hv::HvApp app;
    app.name = args[i];
    app.module = vm::writeProgram(*program);
    app.args = Args(args.begin() + i + 1, args.end());
    return hv::hvRun(o, app);
}

}  // namespace

int cmdHv(const Args& args) {
    if (args.empty()) return fail("hv needs 'check' or 'run' (see 'nido help hv')");
    Args rest(args.begin() + 1, args.end());
    if (args[0] == "check") return cmdHvCheck(rest);
    if (args[0] == "run") return cmdHvRun(rest);
    return fail(fmt::format("unknown hv command '{}': expected check or run (see 'nido help hv')", args[0]));
}

}  // namespace nido::cli
