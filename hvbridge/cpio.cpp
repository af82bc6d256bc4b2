// newc cpio writer (cpio.hpp).
#include "hvbridge/cpio.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

namespace nido::hv {

namespace {

void padTo4(std::string& out) {
    while (out.size() % 4) out.push_back('\0');
}

}  // namespace

void CpioWriter::addEntry(std::string_view path, uint32_t mode, std::string_view data, uint32_t rdevMajor,
                          uint32_t rdevMinor) {
    // Fields, each 8 hex digits: inode, mode, uid, gid, nlink, mtime,
    // filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check.
    // mtime 0 keeps the archive the same for the same inputs.
    uint32_t nlink = S_ISDIR(mode) ? 2 : 1;
    out_ +=
        fmt::format("070701{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
                    nextInode_++, mode, 0, 0, nlink, 0, data.size(), 0, 0, rdevMajor, rdevMinor, path.size() + 1, 0);
    out_.append(path);
    out_.push_back('\0');
    padTo4(out_);
    out_.append(data);
    padTo4(out_);
}

void CpioWriter::addDirectory(std::string_view path, uint32_t mode) { addEntry(path, S_IFDIR | mode, {}, 0, 0); }

void CpioWriter::addFile(std::string_view path, std::string_view data, uint32_t mode) {
    addEntry(path, S_IFREG | mode, data, 0, 0);
}

void CpioWriter::addCharDevice(std::string_view path, uint32_t major, uint32_t minor, uint32_t mode) {
    addEntry(path, S_IFCHR | mode, {}, major, minor);
}

std::string CpioWriter::finish() {
    addEntry("TRAILER!!!", 0, {}, 0, 0);
    return std::move(out_);
}

}  // namespace nido::hv
