// A writer for the "newc" cpio format, the one the Linux kernel unpacks as
// an initramfs (Documentation/driver-api/early-userspace/buffer-format.rst):
// each entry is a 110-byte ASCII header, the path and the data, both padded
// to 4 bytes; "TRAILER!!!" ends the archive. No external cpio is needed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nido::hv {

class CpioWriter {
public:
    // Paths are relative to the guest's root ("init", "dev/ttyS0"); parent
    // folders must come first. Modes are permission bits only.
    void addDirectory(std::string_view path, uint32_t mode = 0755);
    void addFile(std::string_view path, std::string_view data, uint32_t mode = 0644);
    void addCharDevice(std::string_view path, uint32_t major, uint32_t minor, uint32_t mode = 0600);
    // Appends the trailer and hands over the archive.
    std::string finish();

private:
    void addEntry(std::string_view path, uint32_t mode, std::string_view data, uint32_t rdevMajor, uint32_t rdevMinor);
    std::string out_;
    uint32_t nextInode_ = 1;
};

}  // namespace nido::hv
