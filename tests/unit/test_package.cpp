// .ndar tests (docs/package.md): SHA-256 against the FIPS 180-4 examples,
// the container's round trip and its refusals, the manifest text, the
// narrowing of a manifest by flags, and the resource folder's lookups.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "vm/package.hpp"
#include "vm/package_manifest.hpp"
#include "vm/package_vfs.hpp"
#include "vm/sha256.hpp"

namespace nido::vm::testing {

namespace {

std::string hashOf(const std::string& s) {
    return hexDigest(sha256(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

PackageContents sampleContents() {
    PackageContents c;
    c.manifest = "name = app\nversion = 1\n";
    c.programName = "app.ndc";
    c.program = {0x7F, 'N', 'D', 'C', 1, 0};
    c.resources = {{"a.txt", "A"}, {"data/b.txt", "BB"}, {"data/deep/c.txt", ""}};
    return c;
}

bool reads(const std::vector<uint8_t>& bytes, std::string& error) {
    PackageContents out;
    return readPackage(bytes.data(), bytes.size(), out, error);
}

void putU64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
    for (int i = 0; i < 8; i++) b[at + size_t(i)] = uint8_t(v >> (8 * i));
}

}  // namespace

TEST_CASE("sha256 matches the FIPS 180-4 examples") {
    CHECK(hashOf("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hashOf("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hashOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    // One million 'a', fed in uneven pieces to exercise the block buffer.
    std::string million(1000000, 'a');
    Sha256 h;
    for (size_t at = 0; at < million.size();) {
        size_t n = std::min<size_t>(million.size() - at, 1 + at % 97);
        h.update(reinterpret_cast<const uint8_t*>(million.data() + at), n);
        at += n;
    }
    CHECK(hexDigest(h.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("a package round-trips and is deterministic") {
    PackageContents c = sampleContents();
    std::vector<uint8_t> bytes = writePackage(c);
    CHECK(bytes == writePackage(c));
    PackageContents out;
    std::string error;
    REQUIRE(readPackage(bytes.data(), bytes.size(), out, error));
    CHECK(out.manifest == c.manifest);
    CHECK(out.programName == c.programName);
    CHECK(out.program == c.program);
    CHECK(out.resources == c.resources);
}

TEST_CASE("a damaged package is refused with a reason") {
    std::vector<uint8_t> good = writePackage(sampleContents());
    std::string error;
    for (size_t n = 0; n < good.size(); n++) {
        std::vector<uint8_t> cut(good.begin(), good.begin() + long(n));
        CHECK_FALSE(reads(cut, error));
    }
    for (size_t at = 0; at < good.size(); at++) {
        std::vector<uint8_t> flipped = good;
        flipped[at] ^= 0x10;
        CHECK_FALSE(reads(flipped, error));
        CHECK_FALSE(error.empty());
    }
    // The second record's offset (after the header and the manifest's record).
    size_t programOffset = kNdarHeaderBytes + kNdarRecordBytes + std::strlen("manifest") + 8;
    std::vector<uint8_t> overlap = good;
    putU64(overlap, programOffset, kNdarHeaderBytes);
    CHECK_FALSE(reads(overlap, error));
    CHECK(error.find("without gaps or overlap") != std::string::npos);
    std::vector<uint8_t> huge = good;
    putU64(huge, programOffset + 8, uint64_t(1) << 62);
    CHECK_FALSE(reads(huge, error));
    CHECK(error.find("runs past the end") != std::string::npos);
}

TEST_CASE("resource paths are plain relative paths") {
    CHECK(validResourcePath("a"));
    CHECK(validResourcePath("a/b.txt"));
    for (const char* bad : {"", "/a", "a/", "a//b", ".", "a/./b", "..", "a/../b"}) CHECK_FALSE(validResourcePath(bad));
    CHECK_FALSE(validResourcePath(std::string("a\0b", 3)));
}

TEST_CASE("the executable trailer") {
    std::vector<uint8_t> t = exeTrailer(1000, 50);
    REQUIRE(t.size() == kExeTrailerBytes);
    uint64_t offset = 0, size = 0;
    std::string error;
    CHECK(readExeTrailer(t.data(), 1074, offset, size, error));
    CHECK((offset == 1000 && size == 50 && error.empty()));
    CHECK(readExeTrailer(t.data(), 2000, offset, size, error));
    CHECK_FALSE(error.empty());
    t[23] ^= 1;
    CHECK_FALSE(readExeTrailer(t.data(), 1074, offset, size, error));
}

TEST_CASE("a manifest round-trips and refuses what it does not know") {
    Manifest m;
    m.name = "app";
    m.version = "1.2";
    m.entry = "main.nd";
    m.run.permissions.readPaths = {"/data", "rel"};
    m.run.permissions.writeAll = true;
    m.run.permissions.envNames = {"HOME"};
    m.run.isolation.defaultMode = IsolationMode::WriteCopy;
    m.run.isolation.rules = {{"/home", IsolationMode::Full}};
    m.run.fuel = 1000;
    m.run.timeoutSeconds = 2.5;
    m.run.maxOutputBytes = 4096;
    m.run.maxHeapBytes = 1 << 26;
    Manifest back;
    std::string error;
    REQUIRE(readManifest(writeManifest(m), back, error));
    CHECK(writeManifest(back) == writeManifest(m));
    CHECK(back.run.permissions.readPaths == m.run.permissions.readPaths);
    CHECK(back.run.isolation.rules.size() == 1);
    CHECK(back.run.timeoutSeconds == 2.5);

    CHECK(unwritableValue(m) == "");
    Manifest smuggler = m;
    smuggler.run.permissions.readPaths = {"/tmp\nallow-write = *"};
    CHECK(unwritableValue(smuggler) == "/tmp\nallow-write = *");
    smuggler.run.permissions.readPaths = {"a,b"};
    CHECK(unwritableValue(smuggler) == "a,b");
    smuggler.run.permissions.readPaths = {"*"};
    CHECK(unwritableValue(smuggler) == "*");
    for (const char* bad :
         {"name = a\nversion = 1\nallow-net = *\n", "name = a\nname = b\nversion = 1\n", "name = ../x\nversion = 1\n",
          "name = a\nversion = 1\nfuel = -1\n", "name = a\nversion = 1\nisolate = sideways\n", "version = 1\n",
          "name = a\nversion = 1\nmax-output = 10\n", "name = a\nversion = 1\ntimeout = 1000000\n",
          "name = a\nversion = a b\n"}) {
        CHECK_FALSE(readManifest(bad, back, error));
        CHECK_FALSE(error.empty());
    }
}

TEST_CASE("flags narrow a manifest and never widen it") {
    Manifest m;
    m.name = "app";
    m.version = "1";
    m.run.permissions.readPaths = {"/srv/data"};
    m.run.fuel = 1000;
    m.run.isolation.defaultMode = IsolationMode::WriteCopy;
    RunOptions out;
    std::string error;

    RunOptions none;
    REQUIRE(applyManifest("app.ndar", m, none, "/", out, error));
    CHECK(out.permissions.readPaths == m.run.permissions.readPaths);
    CHECK(out.fuel == 1000);
    CHECK(out.isolation.appName == "app");
    CHECK(out.isolation.defaultMode == IsolationMode::WriteCopy);

    RunOptions narrow;
    narrow.permissions.readPaths = {"/srv/data/sub"};
    narrow.fuel = 10;
    narrow.isolation.defaultMode = IsolationMode::Full;
    REQUIRE(applyManifest("app.ndar", m, narrow, "/", out, error));
    CHECK(out.permissions.readPaths == narrow.permissions.readPaths);
    CHECK(out.fuel == 10);
    CHECK(out.isolation.defaultMode == IsolationMode::Full);

    RunOptions wide;
    wide.permissions.readPaths = {"/srv"};
    CHECK_FALSE(applyManifest("app.ndar", m, wide, "/", out, error));
    CHECK(error == "--allow-read=/srv asks for more than app.ndar's manifest grants (read: /srv/data)");
    wide = {};
    wide.permissions.envAll = true;
    CHECK_FALSE(applyManifest("app.ndar", m, wide, "/", out, error));
    wide = {};
    wide.fuel = 1001;
    CHECK_FALSE(applyManifest("app.ndar", m, wide, "/", out, error));
    CHECK(error == "--fuel of 1001 asks for more than app.ndar's manifest grants (fuel = 1000)");
    wide = {};
    wide.isolation.rules = {{"/tmp", IsolationMode::Merged}};
    CHECK_FALSE(applyManifest("app.ndar", m, wide, "/", out, error));
    CHECK(error == "--isolate=merged:/tmp asks for more than app.ndar's manifest grants (writecopy for /tmp)");
    // --isolate=merged given is wider than the manifest's writecopy; left unsaid it is the manifest's.
    wide = {};
    REQUIRE(parseIsolate("merged", wide.isolation));
    CHECK_FALSE(applyManifest("app.ndar", m, wide, "/", out, error));
    CHECK(error == "--isolate=merged asks for more than app.ndar's manifest grants (isolate = writecopy)");
    m.run.timeoutSeconds = 2;
    wide = {};
    wide.timeoutSeconds = 2.5;
    CHECK_FALSE(applyManifest("app.ndar", m, wide, "/", out, error));
    CHECK(error == "--timeout of 2.5 s asks for more than app.ndar's manifest grants (timeout = 2 s)");
    narrow = {};
    narrow.timeoutSeconds = 0.5;
    REQUIRE(applyManifest("app.ndar", m, narrow, "/", out, error));
    CHECK(out.timeoutSeconds == 0.5);
    wide = {};
    wide.learn = true;
    CHECK_FALSE(applyManifest("app.ndar", m, wide, "/", out, error));
}

TEST_CASE("the resource folder under /app") {
    CHECK(PackageResources::inside("/app/a.txt", "/x") == "a.txt");
    CHECK(PackageResources::inside("/app", "/x") == "");
    CHECK(PackageResources::inside("../app/b", "/x") == "b");
    CHECK(PackageResources::inside("data/c", "/app") == "data/c");
    CHECK(PackageResources::inside("/app/../etc/passwd", "/") == std::nullopt);
    CHECK(PackageResources::inside("/apple", "/") == std::nullopt);
    CHECK(PackageResources::inside("a.txt", "/home") == std::nullopt);

    PackageResources r(sampleContents().resources);
    REQUIRE(r.file("data/b.txt"));
    CHECK(*r.file("data/b.txt") == "BB");
    CHECK(r.file("data") == nullptr);
    CHECK(r.isDir(""));
    CHECK(r.isDir("data/deep"));
    CHECK_FALSE(r.isDir("a.txt"));
    CHECK_FALSE(r.isDir("dat"));
    std::vector<std::string> names;
    REQUIRE(r.list("", names));
    CHECK(names == std::vector<std::string>{"a.txt", "data"});
    REQUIRE(r.list("data", names));
    CHECK(names == std::vector<std::string>{"b.txt", "deep"});
    CHECK_FALSE(r.list("a.txt", names));
}

}  // namespace nido::vm::testing
