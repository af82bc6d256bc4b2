// Isolation modes (vm/isolated_files.hpp) and the app's sandbox folder
// (vm/sandbox_store.hpp): rule matching, lexical resolution, app names, the
// line diff of `nido sandbox diff`, and that a symlink swapped into the
// sandbox folder between check and write is never followed.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "vm/host.hpp"
#include "vm/isolated_files.hpp"
#include "vm/sandbox_store.hpp"
#include "vm/text_diff.hpp"

namespace nido::vm {
namespace {

namespace fs = std::filesystem;

// A fresh folder holding data/a.txt ("host") and outside/, and a sandbox
// folder path box/ (not made), removed afterwards.
struct Tree {
    Tree() {
        char name[] = "/tmp/nido-isolation-XXXXXX";
        REQUIRE(::mkdtemp(name) != nullptr);
        root = fs::canonical(name).string();
        fs::create_directories(at("data"));
        fs::create_directories(at("outside"));
        std::ofstream(at("data/a.txt")) << "host";
    }
    ~Tree() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
    std::string at(const std::string& rel) const { return root + "/" + rel; }
    std::string read(const std::string& rel) const {
        std::ifstream in(at(rel));
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    // Isolation with one rule for data/ and the sandbox folder box/.
    Isolation rule(IsolationMode mode) const {
        Isolation iso;
        iso.rules.push_back({at("data"), mode});
        iso.sandboxDir = at("box");
        return iso;
    }
    Permissions grants() const {
        Permissions p;
        p.readPaths = p.writePaths = {at("data")};
        return p;
    }
    std::string root;
};

TEST_CASE("lexicalPath folds . and .. without looking at the file system") {
    CHECK(lexicalPath("a/./b/../c", "/w") == "/w/a/c");
    CHECK(lexicalPath("/../../x", "/w") == "/x");
    CHECK(lexicalPath("..", "/") == "/");
    CHECK(lexicalPath("x//y/", "/w") == "/w/x/y");
}

TEST_CASE("the longest rule decides a path's mode, whole components compared") {
    Isolation iso;
    iso.defaultMode = IsolationMode::WriteCopy;
    iso.rules = {{"/d", IsolationMode::Full}, {"/d/live", IsolationMode::Merged}};
    iso.sandboxDir = "/nonexistent/nido-box";
    IsolatedFiles files(iso, "/");
    CHECK(files.startError().empty());
    CHECK(files.modeOf("/etc") == IsolationMode::WriteCopy);
    CHECK(files.modeOf("/d") == IsolationMode::Full);
    CHECK(files.modeOf("/d/x") == IsolationMode::Full);
    CHECK(files.modeOf("/d/live/x") == IsolationMode::Merged);
    CHECK(files.modeOf("/d/lively") == IsolationMode::Full);
    CHECK(!files.involves("/d/live/x"));
    CHECK(files.involves("/d/x"));
}

TEST_CASE("with every path merged nothing is isolated and no folder is needed") {
    Isolation iso;
    iso.appName = "../bad";  // never used: no sandbox folder is needed
    IsolatedFiles files(iso, "/");
    CHECK(files.startError().empty());
    CHECK(!files.involves("/", true));
}

TEST_CASE("app names cannot leave the folder of sandboxes") {
    CHECK(validAppName("notes"));
    CHECK(validAppName("my.app-2"));
    CHECK(!validAppName(""));
    CHECK(!validAppName("."));
    CHECK(!validAppName(".."));
    CHECK(!validAppName("a/b"));
    CHECK(!validAppName("a\nb"));
    CHECK(!validAppName(std::string(256, 'a')));
    Isolation iso;
    iso.appName = "..";
    iso.defaultMode = IsolationMode::Full;
    CHECK(IsolatedFiles(iso, "/").startError().find("cannot name a sandbox folder") != std::string::npos);
}

TEST_CASE("isolation modes are spelled and parsed in one place") {
    for (IsolationMode mode : {IsolationMode::Merged, IsolationMode::WriteCopy, IsolationMode::Full})
        CHECK(parseIsolationMode(isolationModeName(mode)) == mode);
    CHECK(!parseIsolationMode("Full").has_value());
    Isolation iso;
    REQUIRE(parseIsolate("full", iso));
    CHECK(iso.defaultMode == IsolationMode::Full);
    CHECK(iso.defaultGiven);
    REQUIRE(parseIsolate("writecopy:/a,/a/b", iso));
    REQUIRE(iso.rules.size() == 2);
    CHECK(iso.rules[1].path == "/a/b");
    CHECK(iso.rules[1].mode == IsolationMode::WriteCopy);
    for (const char* bad : {"", "sideways", "full:", "full:/a,,/b", ":/a"}) CHECK_FALSE(parseIsolate(bad, iso));
    std::vector<IsolationRule> rules = {{"/a", IsolationMode::Full}, {"/a/b", IsolationMode::Merged}};
    CHECK(modeOf(IsolationMode::WriteCopy, rules, "/a/x") == IsolationMode::Full);
    CHECK(modeOf(IsolationMode::WriteCopy, rules, "/a/b/c") == IsolationMode::Merged);
    CHECK(modeOf(IsolationMode::WriteCopy, rules, "/ab") == IsolationMode::WriteCopy);
}

TEST_CASE("lineDiff gives hunks of removed and added lines") {
    CHECK(lineDiff("a\nb\nc\n", "a\nb\nc\n") == "");
    CHECK(lineDiff("a\nb\nc\n", "a\nB\nc\n") == "@@ -2,1 +2,1 @@\n-b\n+B\n");
    CHECK(lineDiff("", "x\n") == "@@ -0,0 +1,1 @@\n+x\n");
    CHECK(lineDiff("a\nb\n", "b\n") == "@@ -1,1 +0,0 @@\n-a\n");
    CHECK(!lineDiff(std::string("a\0b", 3), "a").has_value());
}

TEST_CASE("writecopy writes land in the sandbox folder; the host file stays") {
    Tree t;
    HostRun run(t.grants(), {}, {}, t.rule(IsolationMode::WriteCopy));
    REQUIRE(run.startError().empty());
    std::string got;
    REQUIRE(hostReadFile(t.at("data/a.txt"), got).ok());
    CHECK(got == "host");
    REQUIRE(hostAppendFile(t.at("data/a.txt"), "+").ok());
    REQUIRE(hostReadFile(t.at("data/a.txt"), got).ok());
    CHECK(got == "host+");
    CHECK(t.read("data/a.txt") == "host");
    CHECK(t.read("box/files" + t.at("data/a.txt")) == "host+");
    REQUIRE(hostRemove(t.at("data/a.txt")).ok());
    bool exists = true;
    REQUIRE(hostExists(t.at("data/a.txt"), exists).ok());
    CHECK(!exists);
    CHECK(fs::exists(t.at("data/a.txt")));
}

TEST_CASE("a deleted name holding a newline and % is read back from the deletion list") {
    Tree t;
    std::string odd = t.at("data/x\n%25y");
    std::ofstream(odd) << "odd";
    {
        HostRun run(t.grants(), {}, {}, t.rule(IsolationMode::WriteCopy));
        REQUIRE(hostRemove(odd).ok());
    }
    SandboxStore store(t.at("box"));
    REQUIRE(store.load() == "");
    CHECK(store.deletions() == std::set<std::string>{odd});
    CHECK(store.hidden(odd));
    CHECK(!store.hidden(t.at("data/x")));
    CHECK(fs::exists(odd));
}

std::string gSwapFrom, gSwapTo;

// Replaces the sandbox's copy of data/ by a symlink to outside/, as
// another process could between the check and the write.
void swapStoreFolder(const std::string&) {
    fs::remove_all(gSwapFrom);
    fs::create_directory_symlink(gSwapTo, gSwapFrom);
}

TEST_CASE("a symlink swapped into the sandbox folder before a write is not followed") {
    Tree t;
    HostRun run(t.grants(), {}, {}, t.rule(IsolationMode::WriteCopy));
    REQUIRE(hostWriteFile(t.at("data/first.txt"), "1").ok());
    gSwapFrom = t.at("box/files") + t.at("data");
    gSwapTo = t.at("outside");
    hostSetRaceHookForTest(swapStoreFolder);
    HostResult r = hostWriteFile(t.at("data/x.txt"), "owned");
    hostSetRaceHookForTest(nullptr);
    CHECK(r.status == HostStatus::Failed);
    CHECK(r.message.find("is damaged") != std::string::npos);
    CHECK(fs::is_empty(t.at("outside")));
}

TEST_CASE("full mode resolves lexically: a host symlink there is not followed") {
    Tree t;
    fs::create_directory_symlink(t.at("outside"), t.at("data/link"));
    HostRun run(t.grants(), {}, {}, t.rule(IsolationMode::Full));
    bool exists = true;
    REQUIRE(hostExists(t.at("data/link"), exists).ok());
    CHECK(!exists);
    HostResult r = hostWriteFile(t.at("data/link/x.txt"), "owned");
    CHECK(r.status == HostStatus::Failed);  // no folder data/link in the sandbox
    CHECK(fs::is_empty(t.at("outside")));
}

}  // namespace
}  // namespace nido::vm
