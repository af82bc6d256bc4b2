// Unit tests of hvbridge's host-side pieces that need no guest: the cpio
// writer, the frame reader, the exit-port status mapping and --file parsing.
// The boots themselves are tested by tests/hv/run.py.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "hvbridge/cpio.hpp"
#include "hvbridge/guest_image.hpp"
#include "hvbridge/guest_protocol.hpp"

using namespace nido::hv;

namespace {

struct CpioEntry {
    unsigned mode = 0, rdevMajor = 0, rdevMinor = 0;
    std::string name, data;
};

unsigned hexField(const std::string& s, size_t at, int index) {
    return std::stoul(s.substr(at + 6 + 8 * index, 8), nullptr, 16);
}

// Reads a newc archive back, as the kernel does.
std::vector<CpioEntry> readCpio(const std::string& s) {
    std::vector<CpioEntry> out;
    size_t at = 0;
    while (at + 110 <= s.size()) {
        REQUIRE(s.substr(at, 6) == "070701");
        CpioEntry e;
        e.mode = hexField(s, at, 1);
        unsigned size = hexField(s, at, 6);
        e.rdevMajor = hexField(s, at, 9);
        e.rdevMinor = hexField(s, at, 10);
        unsigned nameSize = hexField(s, at, 11);
        e.name = s.substr(at + 110, nameSize - 1);
        at = (at + 110 + nameSize + 3) & ~size_t(3);
        e.data = s.substr(at, size);
        at = (at + size + 3) & ~size_t(3);
        if (e.name == "TRAILER!!!") {
            CHECK(at == s.size());
            return out;
        }
        out.push_back(e);
    }
    FAIL("no trailer");
    return out;
}

}  // namespace

TEST_CASE("cpio: entries read back with their kinds, data and padding") {
    CpioWriter w;
    w.addDirectory("dev");
    w.addCharDevice("dev/ttyS0", 4, 64, 0620);
    w.addFile("init", "abcde", 0755);
    w.addFile("empty", "");
    auto entries = readCpio(w.finish());
    REQUIRE(entries.size() == 4);
    CHECK(entries[0].name == "dev");
    CHECK(entries[0].mode == (0040000u | 0755));
    CHECK(entries[1].mode == (0020000u | 0620));
    CHECK(entries[1].rdevMajor == 4);
    CHECK(entries[1].rdevMinor == 64);
    CHECK(entries[2].data == "abcde");
    CHECK(entries[2].mode == (0100000u | 0755));
    CHECK(entries[3].data.empty());
}

TEST_CASE("frames: split anywhere, noise between them dropped") {
    std::string stream = "kernel noise\n";
    appendFrame(stream, FrameKind::Stdout, "hello ");
    stream += "\xF5";  // a stray magic byte with an impossible length after it
    stream += "x\xff\xff";
    appendFrame(stream, FrameKind::Stderr, "oops\n");
    appendFrame(stream, FrameKind::Stdout, std::string(kMaxFramePayload, 'z'));
    for (size_t piece : {size_t(1), size_t(3), size_t(7), stream.size()}) {
        FrameReader reader;
        std::string out, err;
        for (size_t at = 0; at < stream.size(); at += piece) {
            reader.feed(std::string_view(stream).substr(at, piece), [&](FrameKind kind, std::string_view payload) {
                (kind == FrameKind::Stdout ? out : err).append(payload);
            });
        }
        CHECK(out == "hello " + std::string(kMaxFramePayload, 'z'));
        CHECK(err == "oops\n");
        CHECK(reader.noiseBytes() == 13 + 4);
    }
}

TEST_CASE("exit port: every status survives QEMU's (value << 1) | 1") {
    for (int status = 0; status <= kMaxPortStatus; status++) {
        int qemu = qemuStatusForApp(status);
        CHECK(qemu <= 255);
        CHECK(appStatusFromQemu(qemu) == status);
    }
    CHECK(qemuStatusForApp(0) == 3);
    CHECK(appStatusFromQemu(1) == -1);  // QEMU's own failure
    CHECK(appStatusFromQemu(0) == -1);  // a reset or power-off
    CHECK(appStatusFromQemu(qemuStatusForApp(200)) == kMaxPortStatus);
}

TEST_CASE("--file: guest paths") {
    std::string error;
    CHECK(parseGuestFile("dir/data.txt", error)->guestPath == "/app/data.txt");
    CHECK(parseGuestFile("data.txt:in/x.txt", error)->guestPath == "/app/in/x.txt");
    CHECK(parseGuestFile("data.txt:/srv//a/./b", error)->guestPath == "/srv/a/b");
    for (const char* bad :
         {"", ":x", "data.txt:", "d:../x", "d:/nido/app.ndc", "d:/init", "d:/dev/x", "d:/proc", "d:/app", "d:/"}) {
        CAPTURE(bad);
        CHECK_FALSE(parseGuestFile(bad, error));
        CHECK(!error.empty());
    }
}
