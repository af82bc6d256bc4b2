// .ndar reading and writing (byte layout in docs/package.md). The reader
// treats its input as hostile: the header and every record are
// bounds-checked before use, entries must tile the data area exactly (no
// gaps, no overlap, nothing past the end), and the hashes are compared
// before any entry is handed out.
#include "vm/package.hpp"

#include <cstring>
#include <unordered_set>

#include <fmt/format.h>

#include "vm/sha256.hpp"

namespace nido::vm {

namespace {

void putU16(std::vector<uint8_t>& out, uint16_t v) {
    for (int i = 0; i < 2; i++) out.push_back(uint8_t(v >> (8 * i)));
}
void putU32(std::vector<uint8_t>& out, uint32_t v) {
    for (int i = 0; i < 4; i++) out.push_back(uint8_t(v >> (8 * i)));
}
void putU64(std::vector<uint8_t>& out, uint64_t v) {
    for (int i = 0; i < 8; i++) out.push_back(uint8_t(v >> (8 * i)));
}
uint64_t getLE(const uint8_t* p, int bytes) {
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

struct EntryView {
    EntryKind kind;
    std::string name;
    const uint8_t* data;
    size_t size;
};

const char* kindName(EntryKind k) {
    switch (k) {
    case EntryKind::Manifest: return "manifest";
    case EntryKind::Program: return "program";
    case EntryKind::Resource: return "resource";
    }
    return "?";
}

// What entry i must be: the manifest, then the program, then resources.
EntryKind expectedKind(uint32_t i) {
    return i == 0 ? EntryKind::Manifest : i == 1 ? EntryKind::Program : EntryKind::Resource;
}

bool fail(std::string& error, std::string message) {
    error = std::move(message);
    return false;
}

// Parses the entry table and checks the layout; does not look at hashes.
bool readTable(const uint8_t* data, size_t size, std::vector<EntryView>& entries, std::vector<Sha256Digest>& hashes,
               std::string& error) {
    uint32_t count = uint32_t(getLE(data + 8, 4));
    uint64_t tableBytes = getLE(data + 12, 4);
    if (count < 2 || count > kMaxPackageEntries)
        return fail(error, fmt::format("bad entry count {} (expected 2 to {})", count, kMaxPackageEntries));
    if (tableBytes > size - kNdarHeaderBytes)
        return fail(error, fmt::format("entry table of {} bytes runs past the end of the package ({} bytes)",
                                       tableBytes, size));
    if (tableBytes / kNdarRecordBytes < count)
        return fail(error, fmt::format("entry table of {} bytes cannot hold {} entries", tableBytes, count));
    const uint8_t* p = data + kNdarHeaderBytes;
    const uint8_t* tableEnd = p + tableBytes;
    uint64_t expectedOffset = kNdarHeaderBytes + tableBytes;
    std::unordered_set<std::string> files;
    for (uint32_t i = 0; i < count; i++) {
        if (size_t(tableEnd - p) < kNdarRecordBytes) return fail(error, fmt::format("entry {} is truncated", i));
        auto kind = EntryKind(p[0]);
        if (kind != expectedKind(i))
            return fail(error,
                        fmt::format("entry {} has kind {}, expected the {}", i, p[0], kindName(expectedKind(i))));
        if (p[1] || p[2] || p[3]) return fail(error, fmt::format("entry {} has non-zero reserved bytes", i));
        uint64_t nameBytes = getLE(p + 4, 4);
        uint64_t offset = getLE(p + 8, 8);
        uint64_t entrySize = getLE(p + 16, 8);
        Sha256Digest hash;
        std::memcpy(hash.data(), p + 24, hash.size());
        p += kNdarRecordBytes;
        if (nameBytes == 0 || nameBytes > kMaxEntryNameBytes || nameBytes > size_t(tableEnd - p))
            return fail(error, fmt::format("entry {} has a name of {} bytes that does not fit", i, nameBytes));
        std::string name(reinterpret_cast<const char*>(p), nameBytes);
        p += nameBytes;
        if (offset != expectedOffset)
            return fail(error, fmt::format("entry '{}' starts at byte {}, expected {} (entries follow each other "
                                           "without gaps or overlap)",
                                           name, offset, expectedOffset));
        if (entrySize > size - offset)
            return fail(error, fmt::format("entry '{}' of {} bytes at byte {} runs past the end of the package "
                                           "({} bytes)",
                                           name, entrySize, offset, size));
        expectedOffset = offset + entrySize;
        if (kind == EntryKind::Manifest && (name != "manifest" || entrySize > kMaxManifestBytes))
            return fail(error, fmt::format("the manifest entry must be named 'manifest' and hold at most {} bytes",
                                           kMaxManifestBytes));
        if (kind == EntryKind::Program && (name.size() < 5 || !name.ends_with(".ndc") || !validResourcePath(name)))
            return fail(error, fmt::format("the program entry has a bad name '{}'", name));
        if (kind == EntryKind::Resource) {
            if (!validResourcePath(name)) return fail(error, fmt::format("resource entry {} has a bad path", i));
            if (i > 2 && !(entries.back().name < name))
                return fail(error, fmt::format("resource '{}' is out of order or repeated", name));
            // A file sorts before anything below the same name as a folder.
            for (size_t slash = name.find('/'); slash != std::string::npos; slash = name.find('/', slash + 1)) {
                if (files.count(name.substr(0, slash)))
                    return fail(error, fmt::format("resource '{}' is both a file and a folder", name.substr(0, slash)));
            }
            files.insert(name);
        }
        entries.push_back({kind, std::move(name), data + offset, size_t(entrySize)});
        hashes.push_back(hash);
    }
    if (p != tableEnd) return fail(error, "the entry table has bytes after its last entry");
    if (expectedOffset != size) return fail(error, fmt::format("{} bytes after the last entry", size - expectedOffset));
    return true;
}

}  // namespace

bool validResourcePath(const std::string& name) {
    if (name.empty() || name.size() > kMaxEntryNameBytes || name.find('\0') != std::string::npos) return false;
    size_t start = 0;
    while (true) {
        size_t slash = name.find('/', start);
        std::string_view comp =
            std::string_view(name).substr(start, slash == std::string::npos ? slash : slash - start);
        if (comp.empty() || comp == "." || comp == "..") return false;
        if (slash == std::string::npos) return true;
        start = slash + 1;
    }
}

std::vector<uint8_t> writePackage(const PackageContents& c) {
    std::vector<EntryView> entries;
    auto bytes = [](const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); };
    entries.push_back({EntryKind::Manifest, "manifest", bytes(c.manifest), c.manifest.size()});
    entries.push_back({EntryKind::Program, c.programName, c.program.data(), c.program.size()});
    for (const auto& [name, data] : c.resources)
        entries.push_back({EntryKind::Resource, name, bytes(data), data.size()});

    size_t tableBytes = 0;
    for (const EntryView& e : entries) tableBytes += kNdarRecordBytes + e.name.size();
    std::vector<uint8_t> out(kNdarMagic, kNdarMagic + 4);
    putU16(out, kNdarVersion);
    putU16(out, 0);
    putU32(out, uint32_t(entries.size()));
    putU32(out, uint32_t(tableBytes));
    out.resize(kNdarHeaderBytes);  // the package hash, filled in last
    uint64_t offset = kNdarHeaderBytes + tableBytes;
    for (const EntryView& e : entries) {
        out.push_back(uint8_t(e.kind));
        out.insert(out.end(), 3, 0);
        putU32(out, uint32_t(e.name.size()));
        putU64(out, offset);
        putU64(out, e.size);
        Sha256Digest h = sha256(e.data, e.size);
        out.insert(out.end(), h.begin(), h.end());
        out.insert(out.end(), e.name.begin(), e.name.end());
        offset += e.size;
    }
    for (const EntryView& e : entries) out.insert(out.end(), e.data, e.data + e.size);
    Sha256Digest whole = sha256(out.data() + kNdarHeaderBytes, out.size() - kNdarHeaderBytes);
    std::memcpy(out.data() + 16, whole.data(), whole.size());
    return out;
}

bool readPackage(const uint8_t* data, size_t size, PackageContents& out, std::string& error) {
    if (size < 4 || std::memcmp(data, kNdarMagic, 4) != 0) return fail(error, "not a Nido package (wrong magic)");
    if (size < kNdarHeaderBytes)
        return fail(error, fmt::format("truncated: {} bytes, shorter than the {}-byte header", size, kNdarHeaderBytes));
    if (size > kMaxPackageBytes)
        return fail(error, fmt::format("{} bytes, more than the largest package ({} bytes)", size, kMaxPackageBytes));
    uint16_t version = uint16_t(getLE(data + 4, 2));
    if (version != kNdarVersion)
        return fail(error, fmt::format("package format version {}, this nido reads version {}", version, kNdarVersion));
    if (getLE(data + 6, 2) != 0) return fail(error, "non-zero reserved header bytes");
    std::vector<EntryView> entries;
    std::vector<Sha256Digest> hashes;
    if (!readTable(data, size, entries, hashes, error)) return false;
    for (size_t i = 0; i < entries.size(); i++) {
        if (sha256(entries[i].data, entries[i].size) != hashes[i])
            return fail(error,
                        fmt::format("entry '{}' does not match its SHA-256 (changed after packing)", entries[i].name));
    }
    Sha256Digest whole;
    std::memcpy(whole.data(), data + 16, whole.size());
    if (sha256(data + kNdarHeaderBytes, size - kNdarHeaderBytes) != whole)
        return fail(error, "the package does not match its SHA-256 (entry table changed after packing)");
    auto text = [](const EntryView& e) { return std::string(reinterpret_cast<const char*>(e.data), e.size); };
    out.manifest = text(entries[0]);
    out.programName = entries[1].name;
    out.program.assign(entries[1].data, entries[1].data + entries[1].size);
    out.resources.clear();
    for (size_t i = 2; i < entries.size(); i++) out.resources.emplace_back(entries[i].name, text(entries[i]));
    return true;
}

std::vector<uint8_t> exeTrailer(uint64_t packageOffset, uint64_t packageSize) {
    std::vector<uint8_t> out;
    putU64(out, packageOffset);
    putU64(out, packageSize);
    out.insert(out.end(), kExeTrailerMagic, kExeTrailerMagic + sizeof kExeTrailerMagic);
    return out;
}

bool readExeTrailer(const uint8_t* trailer, uint64_t fileSize, uint64_t& offset, uint64_t& size, std::string& error) {
    if (std::memcmp(trailer + 16, kExeTrailerMagic, sizeof kExeTrailerMagic) != 0) return false;
    offset = getLE(trailer, 8);
    size = getLE(trailer + 8, 8);
    uint64_t room = fileSize - kExeTrailerBytes;
    if (offset > room || size != room - offset)
        error = fmt::format("the attached package ({} bytes at byte {}) does not fit the executable ({} bytes)", size,
                            offset, fileSize);
    return true;
}

}  // namespace nido::vm
