// The sandbox (vm/sandbox.hpp): path resolution, what each grant covers,
// the exact denial messages, and that a check holds for the object actually
// opened when another process swaps a symlink in between check and open
// (simulated with the host's race hook).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "vm/host.hpp"
#include "vm/sandbox.hpp"

namespace nido::vm {
namespace {

namespace fs = std::filesystem;

// A fresh folder under /tmp (symlinks resolved) holding allowed/ and
// outside/secret.txt, removed afterwards.
struct Tree {
    Tree() {
        char name[] = "/tmp/nido-sandbox-XXXXXX";
        REQUIRE(::mkdtemp(name) != nullptr);
        root = fs::canonical(name).string();
        fs::create_directories(at("allowed/sub"));
        fs::create_directories(at("outside"));
        write("outside/secret.txt", "secret");
        write("allowed/ok.txt", "ok");
    }
    ~Tree() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
    std::string at(const std::string& rel) const { return root + "/" + rel; }
    void write(const std::string& rel, const std::string& text) const { std::ofstream(at(rel)) << text; }
    std::string read(const std::string& rel) const {
        std::ifstream in(at(rel));
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    std::string root;
};

Permissions reads(std::vector<std::string> paths) {
    Permissions p;
    p.readPaths = std::move(paths);
    return p;
}

Permissions writes(std::vector<std::string> paths) {
    Permissions p;
    p.writePaths = std::move(paths);
    return p;
}

std::string readDenied(const std::string& path) {
    return "read access to \"" + path + "\" denied (run with --allow-read=" + path + ")";
}

std::string writeDenied(const std::string& path) {
    return "write access to \"" + path + "\" denied (run with --allow-write=" + path + ")";
}

TEST_CASE("pathWithin compares whole components") {
    CHECK(pathWithin("/tmp/a", "/tmp/a"));
    CHECK(pathWithin("/tmp/a/b", "/tmp/a"));
    CHECK(!pathWithin("/tmp/ab", "/tmp/a"));
    CHECK(!pathWithin("/tmp/ab/c", "/tmp/a"));
    CHECK(!pathWithin("/tmp", "/tmp/a"));
    CHECK(pathWithin("/anything", "/"));
    CHECK(pathWithin("/", "/"));
}

TEST_CASE("resolvePath folds . and .., follows symlinks, and takes a missing tail lexically") {
    Tree t;
    CHECK(resolvePath("/a/./b/../c/", "/") == "/a/c");
    CHECK(resolvePath("/../..", "/") == "/");
    CHECK(resolvePath("x/../y", "/base/dir") == "/base/dir/y");
    CHECK(resolvePath("../y", "/base/dir") == "/base/y");
    CHECK(resolvePath("", "/base") == "/base");

    fs::create_symlink(t.at("outside/secret.txt"), t.at("allowed/filelink"));
    fs::create_symlink("../outside", t.at("allowed/dirlink"));  // relative target
    CHECK(resolvePath(t.at("allowed/filelink"), "/") == t.at("outside/secret.txt"));
    CHECK(resolvePath(t.at("allowed/dirlink/secret.txt"), "/") == t.at("outside/secret.txt"));
    CHECK(resolvePath(t.at("allowed/dirlink/../allowed"), "/") == t.at("allowed"));  // .. after the link's target
    CHECK(resolvePath(t.at("allowed/dirlink/new/deeper"), "/") == t.at("outside/new/deeper"));
    // followLast false keeps the link itself (remove acts on it)
    CHECK(resolvePath(t.at("allowed/filelink"), "/", false) == t.at("allowed/filelink"));
    CHECK(resolvePath(t.at("allowed/dirlink/secret.txt"), "/", false) == t.at("outside/secret.txt"));

    fs::create_symlink("loop", t.at("allowed/loop"));  // a link to itself
    CHECK(resolvePath(t.at("allowed/loop/x"), "/") == t.at("allowed/loop/x"));
}

TEST_CASE("a granted folder, with or without a trailing slash, covers itself and what lies below") {
    Tree t;
    for (const std::string& flag : {t.at("allowed"), t.at("allowed") + "/", t.at("allowed") + "//"}) {
        CAPTURE(flag);
        Sandbox s(reads({flag}), "/");
        CHECK(s.roots(Access::Read) == std::vector<std::string>{t.at("allowed")});
        CHECK(s.allows(Access::Read, t.at("allowed")));
        CHECK(s.allows(Access::Read, t.at("allowed/ok.txt")));
        CHECK(s.allows(Access::Read, t.at("allowed/sub/new/x")));
        CHECK(!s.allows(Access::Read, t.root));
        CHECK(!s.allows(Access::Write, t.at("allowed/ok.txt")));  // read only
    }
}

TEST_CASE("a prefix sibling folder is not covered: /tmp/a does not grant /tmp/ab") {
    Tree t;
    fs::create_directories(t.at("a"));
    fs::create_directories(t.at("ab"));
    t.write("ab/x.txt", "x");
    HostRun run(reads({t.at("a")}), {});
    std::string data;
    HostResult r = hostReadFile(t.at("ab/x.txt"), data);
    CHECK(r.status == HostStatus::Denied);
    CHECK(r.message == readDenied(t.at("ab/x.txt")));
}

TEST_CASE("relative grants are resolved against the working directory at the start") {
    Tree t;
    Sandbox s(reads({"allowed/sub/..", "./outside/secret.txt"}), t.root);
    CHECK(s.roots(Access::Read) == std::vector<std::string>{t.at("allowed"), t.at("outside/secret.txt")});
}

TEST_CASE("a grant that does not exist yet resolves from its longest existing prefix") {
    Tree t;
    fs::create_symlink(t.at("allowed"), t.at("link"));
    Sandbox s(writes({t.at("link/out/new.txt")}), "/");
    CHECK(s.roots(Access::Write) == std::vector<std::string>{t.at("allowed/out/new.txt")});
}

TEST_CASE(".. cannot climb out of a granted folder") {
    Tree t;
    HostRun run(reads({t.at("allowed")}), {});
    std::string data;
    HostResult r = hostReadFile(t.at("allowed/../outside/secret.txt"), data);
    CHECK(r.status == HostStatus::Denied);
    CHECK(r.message == readDenied(t.at("outside/secret.txt")));
    r = hostReadFile(t.at("allowed/sub/../../outside/secret.txt"), data);
    CHECK(r.message == readDenied(t.at("outside/secret.txt")));
    CHECK(hostReadFile(t.at("allowed/sub/../ok.txt"), data).ok());  // stays inside: fine
    CHECK(data == "ok");
}

TEST_CASE("absolute paths outside the grants are denied with the exact message") {
    Tree t;
    HostRun run(reads({t.at("allowed")}), {});
    std::string data;
    HostResult r = hostReadFile("/etc/passwd", data);
    CHECK(r.status == HostStatus::Denied);
    CHECK(r.message == "read access to \"/etc/passwd\" denied (run with --allow-read=/etc/passwd)");
    r = hostWriteFile(t.at("allowed/x"), "x");
    CHECK(r.message == writeDenied(t.at("allowed/x")));
}

TEST_CASE("a symlink inside a granted folder cannot lead out, to a file or to a folder") {
    Tree t;
    fs::create_symlink(t.at("outside/secret.txt"), t.at("allowed/filelink"));
    fs::create_symlink(t.at("outside"), t.at("allowed/dirlink"));
    Permissions p = reads({t.at("allowed")});
    p.writePaths = {t.at("allowed")};
    HostRun run(p, {});
    std::string data;
    HostResult r = hostReadFile(t.at("allowed/filelink"), data);
    CHECK(r.status == HostStatus::Denied);
    CHECK(r.message == readDenied(t.at("outside/secret.txt")));
    r = hostReadFile(t.at("allowed/dirlink/secret.txt"), data);
    CHECK(r.message == readDenied(t.at("outside/secret.txt")));
    std::vector<std::string> names;
    CHECK(hostListDir(t.at("allowed/dirlink"), names).message == readDenied(t.at("outside")));
    bool b = true;
    CHECK(hostExists(t.at("allowed/dirlink/secret.txt"), b).status == HostStatus::Denied);

    r = hostWriteFile(t.at("allowed/filelink"), "pwned");
    CHECK(r.message == writeDenied(t.at("outside/secret.txt")));
    r = hostAppendFile(t.at("allowed/dirlink/new.txt"), "pwned");
    CHECK(r.message == writeDenied(t.at("outside/new.txt")));
    r = hostMkdirs(t.at("allowed/dirlink/newdir"));
    CHECK(r.message == writeDenied(t.at("outside/newdir")));
    CHECK(t.read("outside/secret.txt") == "secret");
    CHECK(!fs::exists(t.at("outside/new.txt")));
    CHECK(!fs::exists(t.at("outside/newdir")));

    // Removing the link removes the link, which lies inside.
    CHECK(hostRemove(t.at("allowed/filelink")).ok());
    CHECK(t.read("outside/secret.txt") == "secret");
}

TEST_CASE("a symlink outside leading into a granted folder is allowed") {
    Tree t;
    fs::create_symlink(t.at("allowed"), t.at("outside/in"));
    HostRun run(reads({t.at("allowed")}), {});
    std::string data;
    CHECK(hostReadFile(t.at("outside/in/ok.txt"), data).ok());
    CHECK(data == "ok");
}

// Race simulation: the hook runs after the check, before any open.
std::string gSwapLink, gSwapTarget;
int gHookCalls = 0;

void swapInSymlink(const std::string&) {
    gHookCalls++;
    std::error_code ec;
    fs::remove_all(gSwapLink, ec);
    fs::create_symlink(gSwapTarget, gSwapLink);
}

void countCalls(const std::string&) { gHookCalls++; }

struct RaceHook {
    RaceHook(void (*hook)(const std::string&), std::string link = "", std::string target = "") {
        gSwapLink = std::move(link);
        gSwapTarget = std::move(target);
        gHookCalls = 0;
        hostSetRaceHookForTest(hook);
    }
    ~RaceHook() { hostSetRaceHookForTest(nullptr); }
};

TEST_CASE("a symlink swapped in as the last component before a write cannot redirect it") {
    Tree t;
    HostRun run(writes({t.at("allowed")}), {});
    t.write("allowed/out.txt", "old");

    SUBCASE("writeFile replaces the link itself") {
        RaceHook hook(swapInSymlink, t.at("allowed/out.txt"), t.at("outside/secret.txt"));
        CHECK(hostWriteFile(t.at("allowed/out.txt"), "new").ok());
        CHECK(gHookCalls == 1);
        CHECK(t.read("outside/secret.txt") == "secret");
        CHECK(!fs::is_symlink(t.at("allowed/out.txt")));
        CHECK(t.read("allowed/out.txt") == "new");
    }
    SUBCASE("appendFile refuses to follow it") {
        RaceHook hook(swapInSymlink, t.at("allowed/out.txt"), t.at("outside/secret.txt"));
        HostResult r = hostAppendFile(t.at("allowed/out.txt"), "pwned");
        CHECK(r.status == HostStatus::Failed);
        CHECK(r.message == "cannot write \"" + t.at("allowed/out.txt") + "\": Too many levels of symbolic links");
        CHECK(t.read("outside/secret.txt") == "secret");
    }
    SUBCASE("remove removes the link, not its target") {
        RaceHook hook(swapInSymlink, t.at("allowed/out.txt"), t.at("outside/secret.txt"));
        CHECK(hostRemove(t.at("allowed/out.txt")).ok());
        CHECK(!fs::exists(fs::symlink_status(t.at("allowed/out.txt"))));
        CHECK(t.read("outside/secret.txt") == "secret");
    }
}

TEST_CASE("a symlink swapped in as the last component before a read is not followed") {
    Tree t;
    HostRun run(reads({t.at("allowed")}), {});
    RaceHook hook(swapInSymlink, t.at("allowed/ok.txt"), t.at("outside/secret.txt"));
    SUBCASE("readFile") {
        std::string data;
        HostResult r = hostReadFile(t.at("allowed/ok.txt"), data);
        CHECK(r.status == HostStatus::Failed);
        CHECK(r.message == "cannot read \"" + t.at("allowed/ok.txt") + "\": Too many levels of symbolic links");
        CHECK(data.find("secret") == std::string::npos);
    }
    SUBCASE("exists") {
        bool found = true;
        CHECK(hostExists(t.at("allowed/ok.txt"), found).ok());  // the link itself: not followed
        CHECK(!found);
    }
}

// Each subcase runs on a fresh tree: allowed/sub is a real folder when
// checked and a symlink to outside/ when opened.
TEST_CASE("a folder swapped for a symlink on the way is caught by the opened descriptor's real path") {
    Tree t;
    fs::create_directories(t.at("allowed/sub/deeper"));
    fs::create_directories(t.at("outside/deeper"));
    t.write("allowed/sub/deeper/f.txt", "inside");
    t.write("outside/deeper/f.txt", "outside");
    Permissions p = reads({t.at("allowed")});
    p.writePaths = {t.at("allowed")};
    HostRun run(p, {});
    RaceHook hook(swapInSymlink, t.at("allowed/sub"), t.at("outside"));
    std::string data;
    SUBCASE("readFile") {
        HostResult r = hostReadFile(t.at("allowed/sub/deeper/f.txt"), data);
        CHECK(r.status == HostStatus::Denied);
        CHECK(r.message == readDenied(t.at("outside/deeper/f.txt")));
        CHECK(data == "");
    }
    SUBCASE("writeFile") {
        HostResult r = hostWriteFile(t.at("allowed/sub/deeper/f.txt"), "pwned");
        CHECK(r.status == HostStatus::Denied);
        CHECK(r.message == writeDenied(t.at("outside/deeper/f.txt")));
    }
    SUBCASE("appendFile") {
        HostResult r = hostAppendFile(t.at("allowed/sub/deeper/f.txt"), "pwned");
        CHECK(r.message == writeDenied(t.at("outside/deeper/f.txt")));
    }
    SUBCASE("remove") {
        HostResult r = hostRemove(t.at("allowed/sub/deeper/f.txt"));
        CHECK(r.message == writeDenied(t.at("outside/deeper/f.txt")));
    }
    SUBCASE("mkdirs") {
        HostResult r = hostMkdirs(t.at("allowed/sub/deeper/new"));
        CHECK(r.status != HostStatus::Ok);
        CHECK(!fs::exists(t.at("outside/deeper/new")));
    }
    SUBCASE("listDir") {
        std::vector<std::string> names;
        CHECK(hostListDir(t.at("allowed/sub/deeper"), names).message == readDenied(t.at("outside/deeper")));
    }
    SUBCASE("exists") {
        bool found = true;
        CHECK(hostExists(t.at("allowed/sub/deeper/f.txt"), found).message == readDenied(t.at("outside/deeper/f.txt")));
    }
    SUBCASE("the swapped folder as the direct parent") {
        HostResult r = hostWriteFile(t.at("allowed/sub/g.txt"), "pwned");
        CHECK(r.status == HostStatus::Failed);
        CHECK(!fs::exists(t.at("outside/g.txt")));
    }
    CHECK(gHookCalls == 1);
    CHECK(t.read("outside/deeper/f.txt") == "outside");
    CHECK(fs::is_regular_file(t.at("outside/deeper/f.txt")));
}

TEST_CASE("an object reached through a swapped folder is not opened before the check") {
    Tree t;
    fs::create_directories(t.at("allowed/sub"));
    fs::create_directories(t.at("outside"));
    t.write("allowed/sub/pipe", "a plain file when checked");
    REQUIRE(::mkfifo(t.at("outside/pipe").c_str(), 0600) == 0);  // opening it to read would block
    HostRun run(reads({t.at("allowed")}), {});
    RaceHook hook(swapInSymlink, t.at("allowed/sub"), t.at("outside"));
    std::string data;
    HostResult r = hostReadFile(t.at("allowed/sub/pipe"), data);
    CHECK(r.message == readDenied(t.at("outside/pipe")));
}

TEST_CASE("a denied path is refused before anything touches it") {
    Tree t;
    HostRun run(reads({t.at("allowed")}), {});
    RaceHook hook(countCalls);
    std::string data;
    HostResult existing = hostReadFile(t.at("outside/secret.txt"), data);
    HostResult missing = hostReadFile(t.at("outside/missing.txt"), data);
    CHECK(gHookCalls == 0);  // the hook runs only after a passed check, before the open
    CHECK(existing.status == HostStatus::Denied);
    CHECK(missing.status == HostStatus::Denied);
    CHECK(missing.message == readDenied(t.at("outside/missing.txt")));
    bool found = true;
    CHECK(hostExists(t.at("outside/missing.txt"), found).status == HostStatus::Denied);
    CHECK(hostExists(t.at("outside/secret.txt"), found).status == HostStatus::Denied);
}

TEST_CASE("each fs operation needs its kind of permission") {
    Tree t;
    SUBCASE("read only: writes are denied") {
        HostRun run(reads({t.at("allowed")}), {});
        CHECK(hostWriteFile(t.at("allowed/ok.txt"), "x").message == writeDenied(t.at("allowed/ok.txt")));
        CHECK(hostAppendFile(t.at("allowed/ok.txt"), "x").message == writeDenied(t.at("allowed/ok.txt")));
        CHECK(hostRemove(t.at("allowed/ok.txt")).message == writeDenied(t.at("allowed/ok.txt")));
        CHECK(hostMkdirs(t.at("allowed/new")).message == writeDenied(t.at("allowed/new")));
        CHECK(t.read("allowed/ok.txt") == "ok");
    }
    SUBCASE("write only: reads are denied") {
        HostRun run(writes({t.at("allowed")}), {});
        std::string data;
        std::vector<std::string> names;
        bool b = false;
        CHECK(hostReadFile(t.at("allowed/ok.txt"), data).message == readDenied(t.at("allowed/ok.txt")));
        CHECK(hostExists(t.at("allowed/ok.txt"), b).message == readDenied(t.at("allowed/ok.txt")));
        CHECK(hostIsDir(t.at("allowed"), b).message == readDenied(t.at("allowed")));
        CHECK(hostListDir(t.at("allowed"), names).message == readDenied(t.at("allowed")));
        CHECK(hostWriteFile(t.at("allowed/new.txt"), "n").ok());
        CHECK(hostMkdirs(t.at("allowed/x/y")).ok());
        CHECK(hostRemove(t.at("allowed/x/y")).ok());
    }
}

TEST_CASE("a grant of one file covers that file only") {
    Tree t;
    Permissions p = reads({t.at("allowed/ok.txt")});
    p.writePaths = {t.at("allowed/ok.txt")};
    HostRun run(p, {});
    std::string data;
    CHECK(hostReadFile(t.at("allowed/ok.txt"), data).ok());
    CHECK(hostWriteFile(t.at("allowed/ok.txt"), "new").ok());
    CHECK(t.read("allowed/ok.txt") == "new");
    std::vector<std::string> names;
    CHECK(hostListDir(t.at("allowed"), names).status == HostStatus::Denied);
    CHECK(hostWriteFile(t.at("allowed/other.txt"), "x").status == HostStatus::Denied);
}

TEST_CASE("mkdirs may create only folders the grant covers") {
    Tree t;
    HostRun run(writes({t.at("allowed/a/b")}), {});
    HostResult r = hostMkdirs(t.at("allowed/a/b/c"));
    CHECK(r.status == HostStatus::Denied);
    CHECK(r.message == writeDenied(t.at("allowed/a")));  // the parent it would have to make
    CHECK(!fs::exists(t.at("allowed/a")));
    fs::create_directory(t.at("allowed/a"));
    CHECK(hostMkdirs(t.at("allowed/a/b/c")).ok());
    CHECK(fs::is_directory(t.at("allowed/a/b/c")));
}

TEST_CASE("environment variables are granted one by one") {
    Permissions p;
    p.envNames = {"HOME", "LANG"};
    Sandbox s(p, "/");
    CHECK(s.allowsEnv("HOME"));
    CHECK(s.allowsEnv("LANG"));
    CHECK(!s.allowsEnv("PATH"));
    CHECK(!s.allowsEnv("home"));
    CHECK(!s.allowsEnv("HOMEX"));
    CHECK(!s.allowsEnv(""));
    CHECK(Sandbox::envDenial("PATH") == "env access to \"PATH\" denied (run with --allow-env=PATH)");
    CHECK(!Sandbox().allowsEnv("HOME"));
}

TEST_CASE("bare flags grant everything of their kind, and nothing else") {
    Tree t;
    Permissions p;
    p.readAll = true;
    Sandbox s(p, "/");
    CHECK(s.allows(Access::Read, "/etc/passwd"));
    CHECK(s.allows(Access::Read, "/"));
    CHECK(!s.allows(Access::Write, "/tmp/x"));
    CHECK(!s.allowsEnv("HOME"));
    p = {};
    p.writeAll = true;
    p.envAll = true;
    Sandbox w(p, "/");
    CHECK(w.allows(Access::Write, "/anything/at/all"));
    CHECK(!w.allows(Access::Read, "/etc/passwd"));
    CHECK(w.allowsEnv("ANY_NAME"));

    Permissions all;
    all.readAll = all.writeAll = true;
    HostRun run(all, {});
    fs::create_symlink(t.at("outside/secret.txt"), t.at("allowed/filelink"));
    std::string data;
    CHECK(hostReadFile(t.at("allowed/filelink"), data).ok());
    CHECK(data == "secret");
}

TEST_CASE("nothing is granted by default") {
    Sandbox none;
    CHECK(!none.allows(Access::Read, "/"));
    CHECK(!none.allows(Access::Write, "/tmp"));
    HostRun run({}, {});
    std::string data;
    CHECK(hostReadFile("/etc/hostname", data).status == HostStatus::Denied);
}

}  // namespace
}  // namespace nido::vm
