// The host layer (vm/host.hpp): output buffering and its write-call count,
// flushing rules, broken pipes, standard input, exit, clocks, environment,
// arguments, and the file operations with everything granted (the
// permission checks themselves are in test_sandbox.cpp). Tests that end a
// process run in a forked child that touches only the host layer.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/runtime_harness.hpp"
#include "vm/host.hpp"

namespace nido::vm {
namespace {

// A fresh folder under /tmp (symlinks resolved), removed afterwards.
struct TempDir {
    TempDir() {
        char name[] = "/tmp/nido-host-XXXXXX";
        REQUIRE(::mkdtemp(name) != nullptr);
        path = std::filesystem::canonical(name).string();
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return path + "/" + name; }
    std::string path;
};

void writeText(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Points the host's streams at other descriptors for one scope.
struct Redirect {
    explicit Redirect(HostFds fds) { hostSetFdsForTest(fds); }
    ~Redirect() {
        hostFlush();
        hostSetFdsForTest({});
    }
};

// Everything granted, for the file tests.
Permissions grantAll() {
    Permissions p;
    p.readAll = p.writeAll = p.envAll = true;
    return p;
}

struct Child {
    bool exited = false;
    int status = -1;
    std::string out, err;
};

std::string drain(int fd) {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, size_t(n));
    return s;
}

// Runs body in a forked child whose host stdout is outFd (or a pipe the
// parent reads when outFd < 0) and whose host stderr is a pipe; body is
// expected to end the process through the host layer.
template <class Body>
Child inChild(Body body, int outFd = -1) {
    std::fflush(nullptr);  // else the child's exit flushes the parent's pending output again
    int outPipe[2] = {-1, -1}, errPipe[2];
    if (outFd < 0) REQUIRE(::pipe(outPipe) == 0);
    REQUIRE(::pipe(errPipe) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (outFd < 0) ::close(outPipe[0]);
        ::close(errPipe[0]);
        hostSetFdsForTest({0, outFd < 0 ? outPipe[1] : outFd, errPipe[1]});
        body();
        ::_exit(99);  // body should not return
    }
    if (outFd < 0) ::close(outPipe[1]);
    ::close(errPipe[1]);
    Child c;
    if (outFd < 0) {
        c.out = drain(outPipe[0]);
        ::close(outPipe[0]);
    }
    c.err = drain(errPipe[0]);
    ::close(errPipe[0]);
    int ws = 0;
    REQUIRE(::waitpid(pid, &ws, 0) == pid);
    c.exited = WIFEXITED(ws);
    c.status = c.exited ? WEXITSTATUS(ws) : -WTERMSIG(ws);
    return c;
}

TEST_CASE("a million printed lines cost a few hundred write calls") {
    TempDir d;
    int fd = ::open((d / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    uint64_t before = hostStdoutWriteCalls();
    size_t bytes = 0;
    {
        Redirect r({0, fd, 2});
        for (int i = 0; i < 1'000'000; i++) {
            std::string line = std::to_string(i);
            hostWrite(HostStream::Out, line);  // as println does: text, then "\n"
            hostWrite(HostStream::Out, "\n");
            bytes += line.size() + 1;
        }
    }
    uint64_t writes = hostStdoutWriteCalls() - before;
    ::close(fd);
    MESSAGE("1,000,000 lines, " << bytes << " bytes: " << writes << " write calls");
    CHECK(writes <= bytes / (64 * 1024) + 2);
    CHECK(std::filesystem::file_size(d / "out") == bytes);
}

TEST_CASE("a program printing a million lines makes few write calls") {
    using namespace rttest;
    ProgramBuilder b;
    b.setMain(Asm()
                  .op(Op::PUSH_INT, 0)
                  .op(Op::STORE_LOCAL, 0)
                  .label("loop")
                  .op(Op::LOAD_LOCAL, 0)
                  .op(Op::PUSH_INT, 1'000'000)
                  .op(Op::ILT)
                  .jump(Op::JUMP_IF_FALSE, "end")
                  .op(Op::LOAD_LOCAL, 0)
                  .call(BuiltinId::STR_INT)
                  .call(BuiltinId::PRINTLN)
                  .op(Op::LOAD_LOCAL, 0)
                  .op(Op::PUSH_INT, 1)
                  .op(Op::IADD)
                  .op(Op::STORE_LOCAL, 0)
                  .jump(Op::JUMP, "loop")
                  .label("end")
                  .op(Op::RETURN_VOID),
              {kTypeInt});
    std::string error;
    REQUIRE(verifyProgram(b.p, error));
    TempDir d;
    int fd = ::open((d / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    uint64_t before = hostStdoutWriteCalls();
    {
        Redirect r({0, fd, 2});
        CHECK(runProgram(b.p, {}, {}) == 0);
    }
    uint64_t writes = hostStdoutWriteCalls() - before;
    ::close(fd);
    uintmax_t size = std::filesystem::file_size(d / "out");
    MESSAGE("program: 1,000,000 lines, " << size << " bytes: " << writes << " write calls");
    CHECK(size == 6'888'890);  // "0\n" .. "999999\n"
    CHECK(writes <= size / (64 * 1024) + 2);
}

TEST_CASE("a terminal gets every line as it is written") {
    int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
        MESSAGE("no pseudo-terminal here; skipped");
        if (master >= 0) ::close(master);
        return;
    }
    int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
    REQUIRE(slave >= 0);
    uint64_t before = hostStdoutWriteCalls();
    {
        Redirect r({0, slave, 2});
        hostWrite(HostStream::Out, "one");
        CHECK(hostStdoutWriteCalls() == before);  // no newline yet
        hostWrite(HostStream::Out, "\n");
        CHECK(hostStdoutWriteCalls() == before + 1);
        hostWrite(HostStream::Out, "two\nthree\n");
        CHECK(hostStdoutWriteCalls() == before + 2);
    }
    ::close(slave);
    ::close(master);
}

TEST_CASE("standard error flushes standard output first") {
    TempDir d;
    int fd = ::open((d / "both").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    {
        Redirect r({0, fd, fd});  // like 2>&1
        hostWrite(HostStream::Out, "out 1\n");
        hostWrite(HostStream::Err, "err 2\n");
        hostWrite(HostStream::Out, "out 3\n");
    }
    ::close(fd);
    CHECK(readText(d / "both") == "out 1\nerr 2\nout 3\n");
}

// Standard input from a file holding text, for one scope.
struct Input {
    Input(const TempDir& d, const std::string& text) {
        writeText(d / "in", text);
        fd = ::open((d / "in").c_str(), O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
    }
    ~Input() { ::close(fd); }
    int fd;
};

std::string nextLine() {
    std::optional<std::string> line;
    HostResult r = hostReadLine(line);
    REQUIRE(r.ok());
    return line ? "[" + *line + "]" : "null";
}

TEST_CASE("readLine strips \\n and \\r\\n, returns a last line without newline, then null") {
    TempDir d;
    Input in(d, "a\r\nb\n\nlast\r");
    Redirect r({in.fd, 1, 2});
    CHECK(nextLine() == "[a]");
    CHECK(nextLine() == "[b]");
    CHECK(nextLine() == "[]");
    CHECK(nextLine() == "[last\r]");  // a lone \r is not a line ending
    CHECK(nextLine() == "null");
    CHECK(nextLine() == "null");
}

TEST_CASE("readLine of an empty input is null; readAll of it is empty") {
    TempDir d;
    Input in(d, "");
    Redirect r({in.fd, 1, 2});
    CHECK(nextLine() == "null");
    std::string all = "x";
    CHECK(hostReadAll(all).ok());
    CHECK(all == "");
}

TEST_CASE("lines longer than the input buffer, and readAll after readLine") {
    TempDir d;
    std::string big(200'000, 'x');
    Input in(d, big + "\nsecond\nthird\n" + big);
    Redirect r({in.fd, 1, 2});
    CHECK(nextLine() == "[" + big + "]");
    CHECK(nextLine() == "[second]");
    std::string rest;
    CHECK(hostReadAll(rest).ok());
    CHECK(rest == "third\n" + big);
    CHECK(nextLine() == "null");
}

TEST_CASE("reading standard input flushes standard output first") {
    TempDir d;
    Input in(d, "answer\n");
    int out = ::open((d / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(out >= 0);
    {
        Redirect r({in.fd, out, 2});
        hostWrite(HostStream::Out, "name? ");
        CHECK(readText(d / "out") == "");
        CHECK(nextLine() == "[answer]");
        CHECK(readText(d / "out") == "name? ");
    }
    ::close(out);
}

TEST_CASE("a failing standard input is an error naming the reason") {
    TempDir d;
    int dir = ::open(d.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(dir >= 0);
    {
        Redirect r({dir, 1, 2});
        std::optional<std::string> line;
        HostResult res = hostReadLine(line);
        CHECK(res.status == HostStatus::Failed);
        CHECK(res.message == "cannot read standard input: Is a directory");
    }
    ::close(dir);
}

TEST_CASE("exit flushes buffered output and ends with the status") {
    Child c = inChild([] {
        hostWrite(HostStream::Out, "buffered");
        hostExit(3);
    });
    CHECK(c.exited);
    CHECK(c.status == 3);
    CHECK(c.out == "buffered");
    CHECK(c.err == "");
}

TEST_CASE("the program's output stops at --max-output, counting both streams, with status 4") {
    Child c = inChild([] {
        HostRun run(Permissions{}, {}, HostWatch{1024, nullptr});
        hostWrite(HostStream::Err, std::string(5000, 'r'));  // the runtime's own: not counted
        for (int i = 0; i < 100; i++) {
            hostProgramOutput(HostStream::Out, std::string(300, 'o'));
            hostProgramOutput(HostStream::Err, "e");
        }
    });
    CHECK(c.exited);
    CHECK(c.status == 4);
    CHECK(c.out == std::string(900 + 121, 'o'));  // three rounds of 301 bytes, then 121 of the next write
    CHECK(c.err == std::string(5000, 'r') + "eee" + "nido: output limit of 1 KiB reached (--max-output)\n");
}

TEST_CASE("a closed pipe on stdout ends the program quietly with status 1") {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    ::close(p[0]);  // no reader at all
    Child c = inChild(
        [] {
            HostRun run({}, {});  // ignores SIGPIPE, as every run does
            std::string chunk(1000, 'x');
            for (int i = 0; i < 1000; i++) hostWrite(HostStream::Out, chunk);
            hostFlush();
            ::_exit(0);  // not reached: the write fails first
        },
        p[1]);
    ::close(p[1]);
    CHECK(c.exited);  // not killed by SIGPIPE
    CHECK(c.status == 1);
    CHECK(c.err == "");
}

TEST_CASE("other stdout write errors end the program with a message") {
    int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    if (full < 0) {
        MESSAGE("no /dev/full here; skipped");
        return;
    }
    Child c = inChild(
        [] {
            hostWrite(HostStream::Out, "lost\n");
            hostFlush();
            ::_exit(0);
        },
        full);
    ::close(full);
    CHECK(c.status == 1);
    CHECK(c.err == "nido: cannot write to standard output: No space left on device\n");
}

TEST_CASE("with stdout closed, no opened file takes its place") {
    TempDir d;
    std::string file = d / "f.txt";
    Child c = inChild(
        [&] {
            ::close(1);
            HostRun run({}, {});  // reserves the closed number
            int fd = ::open(file.c_str(), O_WRONLY | O_CREAT, 0600);
            if (fd == 1) ::_exit(42);
            hostWrite(HostStream::Out, "lost\n");
            hostFlush();
            ::_exit(0);
        },
        1);
    CHECK(c.status == 1);
    CHECK(c.err == "nido: cannot write to standard output: Bad file descriptor\n");
    CHECK(readText(file) == "");
}

TEST_CASE("clocks") {
    int64_t a = hostClockNs(), b = hostClockNs();
    CHECK(a > 0);
    CHECK(b >= a);
    int64_t ms = hostTimeMs();
    int64_t now = int64_t(::time(nullptr)) * 1000;
    CHECK(ms >= now - 2000);
    CHECK(ms <= now + 2000);
}

TEST_CASE("arguments and environment come from the installed run") {
    CHECK(hostArgs().empty());
    ::setenv("NIDO_HOST_TEST", "value=1", 1);
    ::unsetenv("NIDO_HOST_UNSET");
    Permissions p;
    p.envNames = {"NIDO_HOST_TEST", "NIDO_HOST_UNSET"};
    {
        HostRun run(p, {"a", "", "c d"});
        CHECK(hostArgs() == std::vector<std::string>{"a", "", "c d"});
        std::optional<std::string> v;
        CHECK(hostEnv("NIDO_HOST_TEST", v).ok());
        CHECK(v == "value=1");
        CHECK(hostEnv("NIDO_HOST_UNSET", v).ok());
        CHECK(!v);
        HostResult denied = hostEnv("HOME", v);
        CHECK(denied.status == HostStatus::Denied);
        CHECK(denied.message == "env access to \"HOME\" denied (run with --allow-env=HOME)");
        CHECK(hostEnv("", v).ok());  // no variable has such a name: unset, not denied
        CHECK(!v);
        CHECK(hostEnv("HOME=x", v).ok());
        CHECK(!v);
        HostResult nul = hostEnv(std::string_view("A\0B", 3), v);
        CHECK(nul.status == HostStatus::Invalid);
        CHECK(nul.message == "environment variable name \"A\\0B\" contains a NUL byte");
    }
    CHECK(hostArgs().empty());
    std::optional<std::string> v;
    CHECK(hostEnv("NIDO_HOST_TEST", v).status == HostStatus::Denied);  // no run: deny all
    ::unsetenv("NIDO_HOST_TEST");
}

TEST_CASE("with --allow-env every variable is readable; names with = are unset") {
    ::setenv("NIDO_HOST_A", "x", 1);
    HostRun run(grantAll(), {});
    std::optional<std::string> v;
    CHECK(hostEnv("NIDO_HOST_A", v).ok());
    CHECK(v == "x");
    CHECK(hostEnv("NIDO_HOST_A=x", v).ok());
    CHECK(!v);
    CHECK(hostEnv("", v).ok());
    CHECK(!v);
    ::unsetenv("NIDO_HOST_A");
}

TEST_CASE("readFile and its failures") {
    TempDir d;
    HostRun run(grantAll(), {});
    writeText(d / "a.txt", std::string("bin\0ary\n", 8));
    std::string data;
    CHECK(hostReadFile(d / "a.txt", data).ok());
    CHECK(data == std::string("bin\0ary\n", 8));
    writeText(d / "empty", "");
    CHECK(hostReadFile(d / "empty", data).ok());
    CHECK(data == "");

    HostResult r = hostReadFile(d / "missing.txt", data);
    CHECK(r.status == HostStatus::Failed);
    CHECK(r.message == "cannot read \"" + d.path + "/missing.txt\": No such file or directory");
    r = hostReadFile(d.path, data);
    CHECK(r.message == "cannot read \"" + d.path + "\": Is a directory");
    r = hostReadFile(d / "a.txt/x", data);
    CHECK(r.message == "cannot read \"" + d.path + "/a.txt/x\": Not a directory");
    r = hostReadFile("", data);
    CHECK(r.message == "cannot read \"\": No such file or directory");
    r = hostReadFile(std::string_view("a\0b", 3), data);
    CHECK(r.status == HostStatus::Invalid);
    CHECK(r.message == "path \"a\\0b\" contains a NUL byte");
}

TEST_CASE("relative paths are taken from the working directory") {
    TempDir d;
    auto old = std::filesystem::current_path();
    std::filesystem::current_path(d.path);
    {
        HostRun run(grantAll(), {});
        CHECK(hostWriteFile("rel.txt", "r").ok());
        std::string data;
        CHECK(hostReadFile("./sub/../rel.txt", data).ok());
        CHECK(data == "r");
        CHECK(hostReadFile("nope", data).message == "cannot read \"" + d.path + "/nope\": No such file or directory");
    }
    std::filesystem::current_path(old);
}

TEST_CASE("writeFile creates and replaces atomically, keeping the mode, leaving no temporary") {
    TempDir d;
    HostRun run(grantAll(), {});
    CHECK(hostWriteFile(d / "f.txt", "first").ok());
    CHECK(readText(d / "f.txt") == "first");
    ::chmod((d / "f.txt").c_str(), 0640);
    struct stat st;
    REQUIRE(::stat((d / "f.txt").c_str(), &st) == 0);
    ino_t oldInode = st.st_ino;
    CHECK(hostWriteFile(d / "f.txt", "second, longer").ok());
    CHECK(readText(d / "f.txt") == "second, longer");
    REQUIRE(::stat((d / "f.txt").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0640);
    CHECK(st.st_ino != oldInode);  // a new file renamed over the old one
    CHECK(hostWriteFile(d / "f.txt", "").ok());
    CHECK(readText(d / "f.txt") == "");
    using Dir = std::filesystem::directory_iterator;
    CHECK(std::distance(Dir(d.path), Dir()) == 1);  // no temporary left behind

    HostResult r = hostWriteFile(d / "no/such/f.txt", "x");
    CHECK(r.status == HostStatus::Failed);
    CHECK(r.message == "cannot write \"" + d.path + "/no/such/f.txt\": No such file or directory");
    std::filesystem::create_directory(d / "dir");
    r = hostWriteFile(d / "dir", "x");
    CHECK(r.message == "cannot write \"" + d.path + "/dir\": Is a directory");
}

TEST_CASE("writeFile into a read-only folder fails with the reason and leaves nothing") {
    if (::geteuid() == 0) {
        MESSAGE("running as root: permission bits do not stop writes; skipped");
        return;
    }
    TempDir d;
    HostRun run(grantAll(), {});
    std::filesystem::create_directory(d / "ro");
    ::chmod((d / "ro").c_str(), 0555);
    HostResult r = hostWriteFile(d / "ro/f.txt", "x");
    CHECK(r.message == "cannot write \"" + d.path + "/ro/f.txt\": Permission denied");
    ::chmod((d / "ro").c_str(), 0755);
    CHECK(std::filesystem::is_empty(d / "ro"));
}

TEST_CASE("appendFile appends and creates") {
    TempDir d;
    HostRun run(grantAll(), {});
    CHECK(hostAppendFile(d / "log", "a\n").ok());
    CHECK(hostAppendFile(d / "log", "b\n").ok());
    CHECK(readText(d / "log") == "a\nb\n");
    HostResult r = hostAppendFile(d / "missing/log", "x");
    CHECK(r.message == "cannot write \"" + d.path + "/missing/log\": No such file or directory");
}

TEST_CASE("exists and isDir") {
    TempDir d;
    HostRun run(grantAll(), {});
    writeText(d / "f", "x");
    std::filesystem::create_directory(d / "dir");
    std::filesystem::create_symlink(d / "nowhere", d / "dangling");
    std::filesystem::create_symlink(d / "dir", d / "dirlink");
    auto exists = [](const std::string& p) {
        bool b = false;
        REQUIRE(hostExists(p, b).ok());
        return b;
    };
    auto isDir = [](const std::string& p) {
        bool b = false;
        REQUIRE(hostIsDir(p, b).ok());
        return b;
    };
    CHECK(exists(d / "f"));
    CHECK(exists(d / "dir"));
    CHECK(exists(d / "dir/"));
    CHECK(!exists(d / "missing"));
    CHECK(!exists(d / "missing/deeper"));
    CHECK(!exists(d / "f/x"));
    CHECK(!exists(d / "dangling"));
    CHECK(exists(d / "dirlink"));
    CHECK(exists("/"));
    CHECK(isDir(d / "dir"));
    CHECK(isDir(d / "dirlink"));
    CHECK(!isDir(d / "f"));
    CHECK(!isDir(d / "missing"));
    CHECK(isDir("/"));
}

TEST_CASE("listDir sorts bytewise and leaves out . and ..") {
    TempDir d;
    HostRun run(grantAll(), {});
    for (const char* name : {"b", "a", "B", "\xc3\xa9", "a0", "_"}) writeText(d / name, "");
    std::filesystem::create_directory(d / "dir");
    std::vector<std::string> names;
    CHECK(hostListDir(d.path, names).ok());
    CHECK(names == std::vector<std::string>{"B", "_", "a", "a0", "b", "dir", "\xc3\xa9"});
    CHECK(hostListDir(d / "dir", names).ok());
    CHECK(names.empty());
    HostResult r = hostListDir(d / "b", names);
    CHECK(r.message == "cannot list \"" + d.path + "/b\": Not a directory");
    r = hostListDir(d / "missing", names);
    CHECK(r.message == "cannot list \"" + d.path + "/missing\": No such file or directory");
}

TEST_CASE("remove takes a file, a symlink itself or an empty folder") {
    TempDir d;
    HostRun run(grantAll(), {});
    writeText(d / "f", "x");
    writeText(d / "target", "t");
    std::filesystem::create_symlink(d / "target", d / "link");
    std::filesystem::create_directories(d / "full/inner");
    std::filesystem::create_directory(d / "empty");
    CHECK(hostRemove(d / "f").ok());
    CHECK(!std::filesystem::exists(d / "f"));
    CHECK(hostRemove(d / "link").ok());
    CHECK(!std::filesystem::is_symlink(d / "link"));
    CHECK(readText(d / "target") == "t");
    CHECK(hostRemove(d / "empty").ok());
    CHECK(!std::filesystem::exists(d / "empty"));
    HostResult r = hostRemove(d / "full");
    CHECK(r.message == "cannot remove \"" + d.path + "/full\": Directory not empty");
    r = hostRemove(d / "missing");
    CHECK(r.message == "cannot remove \"" + d.path + "/missing\": No such file or directory");
}

TEST_CASE("mkdirs makes the folder and its parents, like mkdir -p") {
    TempDir d;
    HostRun run(grantAll(), {});
    CHECK(hostMkdirs(d / "a/b/c").ok());
    CHECK(std::filesystem::is_directory(d / "a/b/c"));
    CHECK(hostMkdirs(d / "a/b/c").ok());  // already there
    CHECK(hostMkdirs(d / "a/b/").ok());
    writeText(d / "file", "");
    HostResult r = hostMkdirs(d / "file");
    CHECK(r.message == "cannot create \"" + d.path + "/file\": File exists");
    r = hostMkdirs(d / "file/sub");
    CHECK(r.message == "cannot create \"" + d.path + "/file/sub\": Not a directory");
    std::filesystem::create_symlink(d / "a", d / "alink");
    CHECK(hostMkdirs(d / "alink/new").ok());  // resolved through the link
    CHECK(std::filesystem::is_directory(d / "a/new"));
}

// The natives over the host layer, through hand-assembled programs.
TEST_CASE("io, fs and sys natives in a running program") {
    using namespace rttest;
    TempDir d;
    ProgramBuilder b;
    Asm code;
    // readLine three times: two lines and the end of input
    for (int i = 0; i < 3; i++) printRef(code.call(BuiltinId::IO_READ_LINE));
    code.then(b.pushString("to stderr")).call(BuiltinId::IO_EPRINTLN);
    printRef(code.call(BuiltinId::SYS_ARGS));
    code.then(b.pushString(d / "f.txt")).then(b.pushString("data")).call(BuiltinId::FS_WRITE_FILE);
    printRef(code.then(b.pushString(d / "f.txt")).call(BuiltinId::FS_READ_FILE));
    printBool(code.then(b.pushString(d / "f.txt")).call(BuiltinId::FS_EXISTS));
    printRef(code.then(b.pushString(d.path)).call(BuiltinId::FS_LIST_DIR));
    code.then(b.pushString(d / "f.txt")).call(BuiltinId::FS_REMOVE);
    printRef(code.then(b.pushString("/etc/passwd")).call(BuiltinId::FS_READ_FILE));  // denied: ends the run
    b.setMain(code.op(Op::RETURN_VOID));
    std::string error;
    REQUIRE(verifyProgram(b.p, error));

    RunOptions opts;
    opts.permissions.readPaths = {d.path};
    opts.permissions.writePaths = {d.path};
    HostCapture capture;
    capture.in = "one\r\ntwo";
    CHECK(runProgram(b.p, {"x", "y"}, opts) == 1);
    INFO(capture.err);
    CHECK(capture.out == "one\ntwo\nnull\n[\"x\", \"y\"]\ndata\ntrue\n[\"f.txt\"]\n");
    CHECK(capture.err.starts_with(
        "to stderr\nPermissionError: read access to \"/etc/passwd\" denied (run with --allow-read=/etc/passwd)\n"));
    CHECK(!std::filesystem::exists(d / "f.txt"));
}

}  // namespace
}  // namespace nido::vm
