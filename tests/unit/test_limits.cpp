// The limits' messages and the --timeout watchdog (vm/limits.hpp), and the
// audit lines and learned flags of --audit and --learn (vm/audit.hpp). The
// whole runs are checked by tests/sandbox (cases_limits.py, cases_audit.py).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "vm/audit.hpp"
#include "vm/limits.hpp"

namespace nido::vm {
namespace {

TEST_CASE("sizes and durations as the limit messages show them") {
    CHECK(describeSize(1000) == "1000 bytes");
    CHECK(describeSize(1024) == "1 KiB");
    CHECK(describeSize(65536) == "64 KiB");
    CHECK(describeSize(1536) == "1536 bytes");
    CHECK(describeSize(uint64_t(3) << 30) == "3 GiB");
    CHECK(describeDuration(0.3) == "300 ms");
    CHECK(describeDuration(2) == "2 s");
    CHECK(describeDuration(2.5) == "2.5 s");
    CHECK(timeLimitMessage(0.5) == "nido: time limit of 500 ms reached (--timeout)\n");
    CHECK(outputLimitMessage(1 << 20) == "nido: output limit of 1 MiB reached (--max-output)\n");
    CHECK(outOfFuelMessage(7) == "nido: out of fuel after 7 loop iterations and calls (--fuel)\n");
}

TEST_CASE("the watchdog empties the budget at the deadline, and stops when the run ends first") {
    uint64_t fuel = 1'000'000;
    {
        Watchdog idle(0, fuel);  // no limit: no thread, never fires
        CHECK(!idle.fired());
    }
    auto start = std::chrono::steady_clock::now();
    {
        Watchdog dog(0.05, fuel);
        while (!dog.fired() && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        REQUIRE(dog.fired());
        CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(50));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        CHECK(std::atomic_ref<uint64_t>(fuel).load() == 1);  // the next back-edge or call ends the run
    }  // destroyed within the grace: the thread stops, the process goes on
    CHECK(std::chrono::steady_clock::now() - start < Watchdog::kTimeoutGrace + std::chrono::seconds(1));
}

TEST_CASE("audit lines are JSON whatever the target's bytes") {
    CHECK(auditLine({"read", "/tmp/x", true, "--allow-read=/tmp"}) ==
          R"({"op":"read","target":"/tmp/x","decision":"allowed","rule":"--allow-read=/tmp"})");
    CHECK(auditLine({"env", "HOME", false, "default deny"}) ==
          R"({"op":"env","target":"HOME","decision":"denied","rule":"default deny"})");
    // Quotes, backslashes and control bytes escaped; UTF-8 kept; other
    // bytes (a lone continuation, an overlong form, a surrogate) as \u00XX.
    std::string odd = "a\"b\\c\n\x01 \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \x80 \xC0\xAF \xED\xA0\x80";
    CHECK(auditLine({"write", odd, false, "default deny"}) ==
          "{\"op\":\"write\",\"target\":\"a\\\"b\\\\c\\u000a\\u0001 \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \\u0080 "
          "\\u00c0\\u00af \\u00ed\\u00a0\\u0080\",\"decision\":\"denied\",\"rule\":\"default deny\"}");
}

TEST_CASE("learned flags: one per path, none below another, none widened") {
    LearnedGrants g;
    g.add("read", "/data/a.txt");
    g.add("read", "/data");
    g.add("read", "/data b/c");  // sorts between /data and /data/a.txt, and is not below /data
    g.add("read", "/database");  // not below /data either
    g.add("write", "/out/x/y");
    g.add("write", "/out/z");
    g.add("env", "HOME");
    g.add("env", "HOME");
    g.add("env", "A=B");
    CHECK(g.flags() == std::vector<std::string>{"--allow-read=/data", "'--allow-read=/data b/c'",
                                                "--allow-read=/database", "--allow-write=/out/x/y",
                                                "--allow-write=/out/z", "--allow-env=A=B", "--allow-env=HOME"});
    CHECK(LearnedGrants().flags().empty());
}

TEST_CASE("shell quoting of learned flags") {
    CHECK(shellQuote("--allow-read=/a/b.txt") == "--allow-read=/a/b.txt");
    CHECK(shellQuote("--allow-read=/it's here") == "'--allow-read=/it'\\''s here'");
    CHECK(shellQuote("$HOME") == "'$HOME'");
}

}  // namespace
}  // namespace nido::vm
