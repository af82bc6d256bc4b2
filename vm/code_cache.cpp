// The code cache (see code_cache.hpp).
#include "vm/code_cache.hpp"

#include <cpuid.h>
#include <dirent.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>

#include "vm/jit_refs.hpp"
#include "vm/module_file.hpp"
#include "vm/native_object.hpp"
#include "vm/sha256.hpp"
#include "vm/tier_sampler.hpp"

namespace nido::vm {
namespace {

// An entry: kMagic, the SHA-256 of everything after it, then the key, the
// entry function's name (a 32-bit length first) and the object file.
constexpr char kMagic[8] = {'N', 'I', 'D', 'O', 'J', 'I', 'T', '1'};
constexpr size_t kHeaderBytes = sizeof kMagic + 32;
constexpr size_t kMaxEntryBytes = size_t(64) << 20;
// The folder keeps about this many entries: one store in 64 (by key)
// removes the oldest beyond it.
constexpr size_t kMaxEntries = 4096;

// The nido executable's GNU build ID: the code depends on its helpers,
// layouts and translator.
bool addBuildId(Sha256& h) {
    struct Found {
        Sha256* h;
        bool found = false;
    } found{&h};
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* data) {
            auto& f = *static_cast<Found*>(data);
            for (int i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr)& ph = info->dlpi_phdr[i];
                if (ph.p_type != PT_NOTE) continue;
                auto* p = reinterpret_cast<const uint8_t*>(info->dlpi_addr + ph.p_vaddr);
                const uint8_t* end = p + ph.p_memsz;
                while (p + sizeof(ElfW(Nhdr)) <= end) {
                    auto* note = reinterpret_cast<const ElfW(Nhdr)*>(p);
                    size_t name = (note->n_namesz + 3) & ~size_t(3), desc = (note->n_descsz + 3) & ~size_t(3);
                    const uint8_t* descAt = p + sizeof(ElfW(Nhdr)) + name;
                    if (descAt + desc > end) break;
                    if (note->n_type == NT_GNU_BUILD_ID) {
                        f.h->update(descAt, note->n_descsz);
                        f.found = true;
                    }
                    p = descAt + desc;
                }
            }
            return 1;  // the first object is the executable
        },
        &found);
    return found.found;
}

// The plugin file (a rebuilt plugin makes other code) and the CPU (LLVM
// compiles for the host's features).
bool addPluginAndCpu(Sha256& h) {
    struct stat st;
    std::string plugin = jitPluginPath();
    if (plugin.empty() || stat(plugin.c_str(), &st) != 0) return false;
    uint64_t file[] = {uint64_t(st.st_dev), uint64_t(st.st_ino), uint64_t(st.st_size), uint64_t(st.st_mtim.tv_sec),
                       uint64_t(st.st_mtim.tv_nsec)};
    h.update(reinterpret_cast<const uint8_t*>(file), sizeof file);
    for (unsigned leaf : {0u, 1u, 7u, 0x80000001u}) {
        unsigned regs[4] = {};
        __cpuid_count(leaf, 0, regs[0], regs[1], regs[2], regs[3]);
        if (leaf == 1) regs[1] = 0;  // EBX: the APIC ID of whichever CPU runs this
        h.update(reinterpret_cast<const uint8_t*>(regs), sizeof regs);
    }
    return true;
}

// What every entry of this process depends on; nullopt: no cache.
const std::optional<Sha256Digest>& processIdentity() {
    static const std::optional<Sha256Digest> identity = []() -> std::optional<Sha256Digest> {
        Sha256 h;
        const char tag[] = "nido code cache 1";
        h.update(reinterpret_cast<const uint8_t*>(tag), sizeof tag);
        if (!addBuildId(h) || !addPluginAndCpu(h)) return std::nullopt;
        return h.finish();
    }();
    return identity;
}

// The key of an entry for the program lp: what follows the identity and
// the program's digest tells the entries of one program apart.
Sha256Digest entryKey(const Sha256Digest& identity, const LinkedProgram& lp, std::span<const int64_t> what) {
    if (!lp.codeDigest) {
        std::vector<uint8_t> bytes = writeProgram(*lp.program);
        lp.codeDigest = sha256(bytes.data(), bytes.size());
    }
    Sha256 h;
    h.update(identity.data(), identity.size());
    h.update(lp.codeDigest->data(), lp.codeDigest->size());
    h.update(reinterpret_cast<const uint8_t*>(what.data()), what.size_bytes());
    return h.finish();
}

Sha256Digest codeKey(const Sha256Digest& identity, const JitRequest& r) {
    int64_t request[] = {int64_t(r.fn->index), int64_t(r.osrEntry), int64_t(r.budgeted)};
    return entryKey(identity, *r.program, request);
}

// The hot list's key is the program's alone: what the list names is
// checked against the program, so one another nido build wrote only asks
// for compiles. That spares every run the process identity (cpuid traps
// to the hypervisor in a virtual machine): start-up reads the list. No
// function has index -1: the key is no code's.
Sha256Digest hotListKey(const LinkedProgram& lp, bool budgeted) {
    int64_t hotList[] = {-1, int64_t(budgeted)};
    return entryKey(Sha256Digest{}, lp, hotList);
}

// HOST: the folder, made if need be and make (mode 0700), as a
// descriptor; -1 when it is not there or is not the user's own and
// closed to others.
int openFolder(const std::string& folder, bool make) {
    int fd = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && make) {
        for (size_t slash = folder.find('/', 1); slash != std::string::npos; slash = folder.find('/', slash + 1)) {
            mkdir(folder.substr(0, slash).c_str(), 0700);
        }
        mkdir(folder.c_str(), 0700);
        fd = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 022) != 0)) {
        close(fd);
        return -1;
    }
    return fd;
}

// The folder's descriptor, opened once per process rather than at every
// compile; -1 as openFolder. A run only reading (the hot list) makes no
// folder.
int cacheFolder(const std::string& folder, bool make) {
    static std::mutex held;  // the hot list's callers may overlap a compile at the end of a run
    std::lock_guard<std::mutex> lock(held);
    static std::string opened;
    static int fd = -1;
    if (fd >= 0 && opened == folder) return fd;
    if (fd >= 0) close(fd);
    fd = openFolder(folder, make);
    opened = folder;
    return fd;
}

// HOST: the entry named name in the folder, checked whole; empty when
// absent, not the user's own, writable by others or damaged.
std::vector<uint8_t> readEntry(int dir, const std::string& name, const Sha256Digest& key) {
    int fd = openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return {};
    struct stat st;
    std::vector<uint8_t> bytes;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & 022) == 0 &&
        size_t(st.st_size) >= kHeaderBytes + key.size() + 4 && size_t(st.st_size) <= kMaxEntryBytes) {
        bytes.resize(size_t(st.st_size));
        size_t got = 0;
        while (got < bytes.size()) {
            ssize_t n = read(fd, bytes.data() + got, bytes.size() - got);
            if (n <= 0) break;
            got += size_t(n);
        }
        if (got != bytes.size()) bytes.clear();
    }
    close(fd);
    if (bytes.empty() || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0 ||
        sha256(bytes.data() + kHeaderBytes, bytes.size() - kHeaderBytes) !=
            *reinterpret_cast<const Sha256Digest*>(bytes.data() + sizeof kMagic) ||
        !std::equal(key.begin(), key.end(), bytes.begin() + kHeaderBytes))
        return {};
    return bytes;
}

// A checked entry's name and what follows it; nullopt when the name runs
// past the end.
struct EntryParts {
    std::string_view name;
    std::span<const uint8_t> payload;
};
std::optional<EntryParts> entryParts(std::span<const uint8_t> bytes) {
    bytes = bytes.subspan(kHeaderBytes + 32);
    uint32_t nameSize;
    std::memcpy(&nameSize, bytes.data(), 4);
    bytes = bytes.subspan(4);
    if (nameSize > bytes.size()) return std::nullopt;
    return EntryParts{{reinterpret_cast<const char*>(bytes.data()), nameSize}, bytes.subspan(nameSize)};
}

// The code of a checked entry, linked for this run; nullptr when it does
// not link.
NativeCode linkEntry(std::span<const uint8_t> bytes, const JitRequest& r) {
    std::optional<EntryParts> parts = entryParts(bytes);
    if (!parts) return nullptr;
    auto resolve = [&](std::string_view symbol) -> const void* {
        auto ref = parseJitRef(symbol);
        return ref ? jitRefAddress(*ref, *r.program, *r.helpers) : nullptr;
    };
    std::string why;
    return reinterpret_cast<NativeCode>(const_cast<void*>(loadNativeObject(parts->payload, parts->name, resolve, why)));
}

// HOST: removes the oldest files beyond kMaxEntries, temporary ones a
// crashed writer left included.
void evict(int dir) {
    int fd = dup(dir);
    DIR* d = fd >= 0 ? fdopendir(fd) : nullptr;
    if (!d) {
        if (fd >= 0) close(fd);
        return;
    }
    std::vector<std::pair<int64_t, std::string>> entries;  // (mtime, name)
    while (dirent* e = readdir(d)) {
        struct stat st;
        if (fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            entries.emplace_back(int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, e->d_name);
    }
    closedir(d);
    if (entries.size() <= kMaxEntries) return;
    std::sort(entries.begin(), entries.end());
    for (size_t i = 0; i < entries.size() - kMaxEntries; i++) unlinkat(dir, entries[i].second.c_str(), 0);
}

// What the plugin hands back through JitRequest::keepObject.
struct Kept {
    std::string entry;
    std::vector<uint8_t> object;
};

// HOST: writes a new entry beside the others under a temporary name, then
// renames it into place, so that readers see it whole or not at all.
void storeEntry(int dir, const std::string& name, const Sha256Digest& key, const Kept& kept) {
    std::vector<uint8_t> bytes(kMagic, kMagic + sizeof kMagic);
    bytes.resize(kHeaderBytes);
    bytes.insert(bytes.end(), key.begin(), key.end());
    auto nameSize = uint32_t(kept.entry.size());
    bytes.insert(bytes.end(), reinterpret_cast<const uint8_t*>(&nameSize),
                 reinterpret_cast<const uint8_t*>(&nameSize) + 4);
    bytes.insert(bytes.end(), kept.entry.begin(), kept.entry.end());
    bytes.insert(bytes.end(), kept.object.begin(), kept.object.end());
    Sha256Digest sum = sha256(bytes.data() + kHeaderBytes, bytes.size() - kHeaderBytes);
    std::copy(sum.begin(), sum.end(), bytes.begin() + sizeof kMagic);
    static std::atomic<uint64_t> serial{0};
    std::string temporary = "." + name + "." + std::to_string(getpid()) + "." + std::to_string(serial++);
    int fd = openat(dir, temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return;
    size_t put = 0;
    while (put < bytes.size()) {
        ssize_t n = write(fd, bytes.data() + put, bytes.size() - put);
        if (n <= 0) break;
        put += size_t(n);
    }
    bool whole = close(fd) == 0 && put == bytes.size();
    if (!whole || renameat(dir, temporary.c_str(), dir, name.c_str()) != 0) unlinkat(dir, temporary.c_str(), 0);
    if (key[0] < 4) evict(dir);
}

}  // namespace

std::string defaultCodeCacheFolder() {
    // HOST: the environment names the folder.
    if (const char* set = std::getenv("NIDO_JIT_CACHE"); set && *set) {
        return std::strcmp(set, "off") == 0 ? "" : set;
    }
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/') return std::string(xdg) + "/nido/jit";
    if (const char* home = std::getenv("HOME"); home && *home == '/') return std::string(home) + "/.cache/nido/jit";
    return "";
}

PluginCompile compileCode(const JitRequest& request, const std::string& folder) {
    const auto& identity = processIdentity();
    int dir = folder.empty() || !identity ? -1 : cacheFolder(folder, true);
    if (dir < 0) return compileWithPlugin(request);
    double start = threadCpuSeconds();
    Sha256Digest key = codeKey(*identity, request);
    std::string name = hexDigest(key);
    std::vector<uint8_t> entry = readEntry(dir, name, key);
    if (NativeCode code = entry.empty() ? nullptr : linkEntry(entry, request)) {
        return PluginCompile{code, threadCpuSeconds() - start, "", true};
    }
    Kept kept;
    JitRequest keeping = request;
    keeping.keepContext = &kept;
    keeping.keepObject = [](void* context, const char* entry, const uint8_t* object, size_t size) {
        auto& k = *static_cast<Kept*>(context);
        k.entry = entry;
        k.object.assign(object, object + size);
    };
    PluginCompile out = compileWithPlugin(keeping);
    if (out.code && !kept.object.empty()) storeEntry(dir, name, key, kept);
    return out;
}

// The hot list's payload: (function index, OSR entry) as two 32-bit
// words each.
static_assert(sizeof(HotRequest) == 8 && std::is_trivially_copyable_v<HotRequest>);
std::vector<HotRequest> readHotList(const LinkedProgram& program, bool budgeted, const std::string& folder) {
    int dir = folder.empty() ? -1 : cacheFolder(folder, false);
    if (dir < 0) return {};
    Sha256Digest key = hotListKey(program, budgeted);
    std::vector<uint8_t> entry = readEntry(dir, hexDigest(key), key);
    std::optional<EntryParts> parts = entry.empty() ? std::nullopt : entryParts(entry);
    if (!parts || parts->payload.size() % 8 != 0) return {};
    std::vector<HotRequest> list(parts->payload.size() / 8);
    std::memcpy(list.data(), parts->payload.data(), parts->payload.size());
    for (const HotRequest& r : list) {
        const RtFunction* fn = r.fn < program.functions.size() ? &program.functions[r.fn] : nullptr;
        if (!fn || !fn->exec || r.osrEntry < -1 || (r.osrEntry >= 0 && size_t(r.osrEntry) >= fn->exec->code.size()))
            return {};
    }
    return list;
}

void storeHotList(const LinkedProgram& program, bool budgeted, const std::string& folder,
                  const std::vector<HotRequest>& list) {
    int dir = folder.empty() ? -1 : cacheFolder(folder, true);
    if (dir < 0) return;
    Sha256Digest key = hotListKey(program, budgeted);
    Kept kept{"hot list", {}};
    kept.object.resize(list.size() * 8);
    std::memcpy(kept.object.data(), list.data(), kept.object.size());
    storeEntry(dir, hexDigest(key), key, kept);
}

}  // namespace nido::vm
