// Static ELF loading: copy each PT_LOAD segment, leave its bss as the zero
// pages fresh guest memory already is.
#include "elf_loader.hpp"

#include <elf.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "guest_layout.hpp"

namespace nido::hv::vmm {

namespace {

// Past the file's bytes, the bss is faulted in ahead up to this much
// (GuestMemory::populate says why).
constexpr uint64_t kBssPrefaultLimit = 64ull << 20;

uint64_t alignDown(uint64_t v) { return v & ~(layout::kPageSize - 1); }
uint64_t alignUp(uint64_t v) { return (v + layout::kPageSize - 1) & ~(layout::kPageSize - 1); }

// The executable, mapped read-only: parsed and copied from the page cache
// with no read buffer.
struct MappedFile {
    int fd = -1;
    const uint8_t* data = nullptr;
    size_t size = 0;

    ~MappedFile() {
        // SAFETY: data/size are the mapping made in open().
        if (data) munmap(const_cast<uint8_t*>(data), size);
        if (fd >= 0) close(fd);
    }

    bool open(const std::string& path, std::string& error) {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0) return error = "cannot open " + path + ": " + strerror(errno), false;
        if (!S_ISREG(st.st_mode) || st.st_size == 0) return error = path + " is not an ELF file", false;
        size = static_cast<size_t>(st.st_size);
        // SAFETY: a private read-only view of the whole file, released by the destructor.
        void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) return error = "cannot map " + path + ": " + strerror(errno), false;
        data = static_cast<const uint8_t*>(p);
        return true;
    }
};

}  // namespace

bool loadElf(const std::string& path, GuestMemory& memory, LoadedElf& out, std::string& error) {
    MappedFile image;
    if (!image.open(path, error)) return false;
    Elf64_Ehdr eh;
    if (image.size < sizeof eh || std::memcmp(image.data, ELFMAG, SELFMAG) != 0)
        return error = path + " is not an ELF file", false;
    std::memcpy(&eh, image.data, sizeof eh);
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
        return error = path + " is not an x86-64 ELF executable", false;
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) return error = path + " is not an executable", false;
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phoff > image.size ||
        eh.e_phnum * sizeof(Elf64_Phdr) > image.size - eh.e_phoff)
        return error = path + " has bad program headers", false;

    std::vector<Elf64_Phdr> phdrs(eh.e_phnum);
    std::memcpy(phdrs.data(), image.data + eh.e_phoff, eh.e_phnum * sizeof(Elf64_Phdr));
    uint64_t lowest = UINT64_MAX;
    for (const Elf64_Phdr& ph : phdrs) {
        if (ph.p_type == PT_INTERP)
            return error = path + " is dynamically linked; the micro-VM runs static executables only", false;
        if (ph.p_type == PT_LOAD) lowest = std::min(lowest, alignDown(ph.p_vaddr));
    }
    if (lowest == UINT64_MAX) return error = path + " has no loadable segment", false;
    // A static-pie is linked at 0: place it where a non-PIE executable would be.
    uint64_t bias = eh.e_type == ET_DYN ? layout::kUserStart - lowest : 0;

    for (const Elf64_Phdr& ph : phdrs) {
        if (ph.p_type == PT_PHDR) out.phdr = ph.p_vaddr + bias;
        if (ph.p_type != PT_LOAD) continue;
        uint64_t vaddr = ph.p_vaddr + bias;
        if (ph.p_filesz > ph.p_memsz || ph.p_offset > image.size || ph.p_filesz > image.size - ph.p_offset)
            return error = path + " has a segment outside the file", false;
        if (vaddr < layout::kUserStart || !memory.user(vaddr, ph.p_memsz) ||
            vaddr + ph.p_memsz > memory.size() - layout::kStackBytes - layout::kStackGuard)
            return error = path + " has a segment outside the guest's memory", false;
        // Copied, not mapped from the file: the guest's first touch of a
        // private file page cost ~24 us against ~4 us for an anonymous page the
        // host already has, and Boehm's start-up probe reads every page of the
        // Nido runtime (a mapped runtime started 25 ms slower).
        uint64_t first = alignDown(vaddr), end = alignUp(vaddr + ph.p_memsz);
        memory.populate(first, std::min(end - first, alignUp(vaddr + ph.p_filesz) - first + kBssPrefaultLimit));
        std::memcpy(memory.user(vaddr, ph.p_filesz), image.data + ph.p_offset, ph.p_filesz);
        out.segments.push_back({first, end, ph.p_flags});
        out.end = std::max(out.end, end);
        if (out.phdr == 0 && ph.p_offset <= eh.e_phoff && eh.e_phoff < ph.p_offset + ph.p_filesz)
            out.phdr = vaddr + (eh.e_phoff - ph.p_offset);
    }
    out.entry = eh.e_entry + bias;
    out.phnum = eh.e_phnum;
    out.phent = eh.e_phentsize;
    return true;
}

}  // namespace nido::hv::vmm
