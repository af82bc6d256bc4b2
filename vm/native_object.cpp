// The native-object loader (native_object.hpp). Everything the layout needs
// is checked before anything is mapped: the header, the section table and
// its names, the one symbol table, where each loaded section goes and the
// entry. Then one region is mapped read+write, filled, relocated and turned
// read+execute, so no page is ever writable and executable at once. Every
// offset from the file is checked against what holds it with subtraction,
// never addition, so a lying value cannot overflow past a check.
#include "vm/native_object.hpp"

#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace nido::vm {
namespace {

// One compiled function with its constants takes a few KiB; the bound keeps
// a lying header from asking for gigabytes.
constexpr uint64_t kMaxImage = 64ull << 20;
// The region starts on a page, so alignments up to a page hold by offsets alone.
constexpr uint64_t kMaxAlign = 4096;

struct Section {
    Elf64_Shdr header{};
    std::string_view name;
    bool loaded = false;
    uint64_t offset = 0;  // in the region, when loaded
};

// A name from the file as an error message may show it: one line, bounded.
std::string shown(std::string_view name) {
    std::string out(name.substr(0, 80));
    for (char& c : out) {
        if (c < 0x20 || c > 0x7e) c = '?';
    }
    return out;
}

// Width in bytes of the relocations the loader applies; 0: refused.
unsigned relocationWidth(uint32_t type) {
    switch (type) {
    case R_X86_64_64:
    case R_X86_64_PC64: return 8;
    case R_X86_64_PC32:
    case R_X86_64_PLT32: return 4;
    default: return 0;
    }
}

// Unmaps the region when the load fails part way.
struct Region {
    uint8_t* base = nullptr;
    size_t size = 0;
    ~Region() {
        if (base) munmap(base, size);
    }
};

class Linker {
public:
    Linker(std::span<const uint8_t> bytes, const SymbolResolver& resolve, std::string& why)
        : bytes_(bytes), resolve_(resolve), why_(why) {}

    const void* load(std::string_view entry) {
        uint64_t entryOffset = 0;
        if (!readSections() || !layOut() || !findEntry(entry, entryOffset)) return nullptr;
        size_t page = size_t(sysconf(_SC_PAGESIZE));
        Region region;
        region.size = (imageSize_ + page - 1) / page * page;
        // SAFETY: a fresh private anonymous mapping; the writes below stay in
        // the laid-out sections, which layOut() kept within imageSize_.
        void* mapped = mmap(nullptr, region.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapped == MAP_FAILED) {
            fail(fmt::format("cannot map {} bytes for native code: {}", region.size, std::strerror(errno)));
            return nullptr;
        }
        region.base = static_cast<uint8_t*>(mapped);
        // SHT_NOBITS sections stay as the mapping's zero pages.
        for (const Section& s : sections_) {
            if (s.loaded && s.header.sh_type != SHT_NOBITS) {
                std::memcpy(region.base + s.offset, bytes_.data() + s.header.sh_offset, s.header.sh_size);
            }
        }
        if (!relocateAll(region.base)) return nullptr;
        if (mprotect(region.base, region.size, PROT_READ | PROT_EXEC) != 0) {
            fail(fmt::format("cannot make native code executable: {}", std::strerror(errno)));
            return nullptr;
        }
        uint8_t* code = region.base + entryOffset;
        region.base = nullptr;  // loaded: the code lives until the process ends
        return code;
    }

private:
    bool fail(std::string message) {
        why_ = std::move(message);
        return false;
    }

    // Copies a T from `offset` of the file; false when it does not fit.
    template <class T>
    bool read(uint64_t offset, T& out) const {
        if (offset > bytes_.size() || bytes_.size() - offset < sizeof(T)) return false;
        std::memcpy(&out, bytes_.data() + offset, sizeof(T));
        return true;
    }

    // The NUL-terminated string at `offset` of a string table (in the file).
    bool string(const Section& table, uint64_t offset, std::string_view& out) const {
        if (offset >= table.header.sh_size) return false;
        const char* start = reinterpret_cast<const char*>(bytes_.data() + table.header.sh_offset + offset);
        const void* end = std::memchr(start, 0, table.header.sh_size - offset);
        if (!end) return false;
        out = std::string_view(start, static_cast<const char*>(end) - start);
        return true;
    }

    bool readSections() {
        Elf64_Ehdr eh;
        if (!read(0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) return fail("not an ELF file");
        if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
            return fail("not a 64-bit little-endian ELF file");
        }
        if (eh.e_type != ET_REL || eh.e_machine != EM_X86_64) return fail("not an x86-64 relocatable object");
        // e_shnum 0 or from SHN_LORESERVE on means extended numbering, which
        // no object of one function needs.
        if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 || eh.e_shnum >= SHN_LORESERVE ||
            eh.e_shoff > bytes_.size() || (bytes_.size() - eh.e_shoff) / sizeof(Elf64_Shdr) < eh.e_shnum) {
            return fail("bad section header table");
        }
        sections_.resize(eh.e_shnum);
        for (size_t i = 0; i < sections_.size(); i++) {
            Elf64_Shdr& h = sections_[i].header;
            read(eh.e_shoff + i * sizeof(Elf64_Shdr), h);  // fits: checked above
            if (h.sh_type != SHT_NOBITS && h.sh_type != SHT_NULL &&
                (h.sh_offset > bytes_.size() || h.sh_size > bytes_.size() - h.sh_offset)) {
                return fail(fmt::format("section {} lies outside the file", i));
            }
        }
        if (eh.e_shstrndx >= eh.e_shnum || sections_[eh.e_shstrndx].header.sh_type != SHT_STRTAB) {
            return fail("bad section name table");
        }
        const Section& names = sections_[eh.e_shstrndx];
        for (size_t i = 0; i < sections_.size(); i++) {
            if (!string(names, sections_[i].header.sh_name, sections_[i].name)) {
                return fail(fmt::format("section {} has a bad name", i));
            }
            if (sections_[i].header.sh_type != SHT_SYMTAB) continue;
            if (symbols_) return fail("more than one symbol table");
            symbols_ = &sections_[i];
        }
        if (!symbols_) return fail("no symbol table");
        const Elf64_Shdr& h = symbols_->header;
        if (h.sh_entsize != sizeof(Elf64_Sym) || h.sh_size % sizeof(Elf64_Sym) != 0 || h.sh_link >= sections_.size() ||
            sections_[h.sh_link].header.sh_type != SHT_STRTAB) {
            return fail("bad symbol table");
        }
        symbolNames_ = &sections_[h.sh_link];
        symbolCount_ = h.sh_size / sizeof(Elf64_Sym);
        return true;
    }

    // Places every allocated section but .eh_frame (unwind tables, which
    // nothing here registers) in the region, each on its own alignment.
    bool layOut() {
        for (Section& s : sections_) {
            const Elf64_Shdr& h = s.header;
            if (!(h.sh_flags & SHF_ALLOC) || h.sh_type == SHT_X86_64_UNWIND || s.name == ".eh_frame") continue;
            if (h.sh_flags & SHF_WRITE) return fail(fmt::format("section {} is writable", shown(s.name)));
            if (h.sh_flags & (SHF_TLS | SHF_COMPRESSED)) {
                return fail(fmt::format("section {} is thread-local or compressed", shown(s.name)));
            }
            uint64_t align = h.sh_addralign ? h.sh_addralign : 1;
            if ((align & (align - 1)) != 0 || align > kMaxAlign) {
                return fail(fmt::format("section {} has the bad alignment {}", shown(s.name), align));
            }
            uint64_t at = (imageSize_ + align - 1) & ~(align - 1);
            if (at > kMaxImage || h.sh_size > kMaxImage - at) return fail("native code and data pass 64 MiB");
            s.loaded = true;
            s.offset = at;
            imageSize_ = at + h.sh_size;
        }
        if (imageSize_ == 0) return fail("no code in the object");
        return true;
    }

    bool symbol(uint64_t index, Elf64_Sym& sym, std::string_view& name) {
        if (index >= symbolCount_) return fail(fmt::format("no symbol {} in the symbol table", index));
        read(symbols_->header.sh_offset + index * sizeof(Elf64_Sym), sym);  // fits: the table is in the file
        if (!string(*symbolNames_, sym.st_name, name)) return fail(fmt::format("symbol {} has a bad name", index));
        return true;
    }

    // The region offset of the defined function `name` in executable code.
    bool findEntry(std::string_view name, uint64_t& offset) {
        for (uint64_t i = 1; i < symbolCount_; i++) {
            Elf64_Sym sym;
            std::string_view symName;
            if (!symbol(i, sym, symName)) return false;
            if (symName != name || ELF64_ST_TYPE(sym.st_info) != STT_FUNC) continue;
            const Section* s = sym.st_shndx < sections_.size() ? &sections_[sym.st_shndx] : nullptr;
            if (!s || !s->loaded || !(s->header.sh_flags & SHF_EXECINSTR) || sym.st_value >= s->header.sh_size) {
                return fail(fmt::format("function {} is not in the object's code", shown(name)));
            }
            offset = s->offset + sym.st_value;
            return true;
        }
        return fail(fmt::format("no function {} in the object", shown(name)));
    }

    // S of a relocation: where symbol `index` is in memory.
    bool symbolAddress(uint64_t index, const uint8_t* base, uint64_t& address) {
        Elf64_Sym sym;
        std::string_view name;
        if (!symbol(index, sym, name)) return false;
        if (sym.st_shndx == SHN_UNDEF) {
            if (name.empty()) return fail(fmt::format("symbol {} is undefined and has no name", index));
            const void* resolved = resolve_(name);
            if (!resolved) return fail(fmt::format("unresolved symbol '{}'", shown(name)));
            address = reinterpret_cast<uintptr_t>(resolved);
            return true;
        }
        if (sym.st_shndx == SHN_ABS) {
            address = sym.st_value;
            return true;
        }
        if (sym.st_shndx >= sections_.size()) {
            return fail(fmt::format("symbol {} has the unsupported section index {:#x}", index, sym.st_shndx));
        }
        const Section& s = sections_[sym.st_shndx];
        if (!s.loaded) return fail(fmt::format("symbol {} is in the unloaded section {}", index, shown(s.name)));
        if (sym.st_value > s.header.sh_size) return fail(fmt::format("symbol {} lies outside its section", index));
        address = reinterpret_cast<uintptr_t>(base + s.offset + sym.st_value);
        return true;
    }

    // Applies the relocations of every loaded section; those of skipped
    // sections (.rela.eh_frame, debug information) are left alone.
    bool relocateAll(uint8_t* base) {
        for (const Section& rela : sections_) {
            const Elf64_Shdr& h = rela.header;
            if (h.sh_type != SHT_RELA && h.sh_type != SHT_REL) continue;
            if (h.sh_info >= sections_.size()) return fail(fmt::format("{} relocates no section", shown(rela.name)));
            if (!sections_[h.sh_info].loaded) continue;
            if (h.sh_type == SHT_REL) return fail(fmt::format("{} has relocations without addends", shown(rela.name)));
            if (h.sh_entsize != sizeof(Elf64_Rela) || h.sh_size % sizeof(Elf64_Rela) != 0 ||
                h.sh_link >= sections_.size() || &sections_[h.sh_link] != symbols_) {
                return fail(fmt::format("bad relocation section {}", shown(rela.name)));
            }
            if (!relocate(rela, sections_[h.sh_info], base)) return false;
        }
        return true;
    }

    bool relocate(const Section& rela, const Section& target, uint8_t* base) {
        uint64_t count = rela.header.sh_size / sizeof(Elf64_Rela);
        for (uint64_t i = 0; i < count; i++) {
            Elf64_Rela r;
            read(rela.header.sh_offset + i * sizeof(Elf64_Rela), r);  // fits: the section is in the file
            auto where = [&] { return fmt::format("relocation {} of {}", i, shown(rela.name)); };
            uint32_t type = ELF64_R_TYPE(r.r_info);
            unsigned width = relocationWidth(type);
            if (width == 0) return fail(fmt::format("{} has the unsupported type {}", where(), type));
            if (r.r_offset > target.header.sh_size || width > target.header.sh_size - r.r_offset) {
                return fail(fmt::format("{} lies outside {}", where(), shown(target.name)));
            }
            uint64_t symbol = 0;
            if (!symbolAddress(ELF64_R_SYM(r.r_info), base, symbol)) return false;
            // SAFETY: [place, place + width) is inside the target section,
            // inside the writable region (checked just above).
            uint8_t* place = base + target.offset + r.r_offset;
            // Unsigned arithmetic wraps as the 64-bit address space does.
            uint64_t value = symbol + uint64_t(r.r_addend);
            if (type == R_X86_64_PC64 || width == 4) value -= reinterpret_cast<uintptr_t>(place);
            if (width == 4) {
                auto relative = int64_t(value);
                if (relative != int32_t(relative)) return fail(where() + " out of range");
                auto low = int32_t(relative);
                std::memcpy(place, &low, 4);
            } else {
                std::memcpy(place, &value, 8);
            }
        }
        return true;
    }

    std::span<const uint8_t> bytes_;
    const SymbolResolver& resolve_;
    std::string& why_;
    std::vector<Section> sections_;
    const Section* symbols_ = nullptr;
    const Section* symbolNames_ = nullptr;
    uint64_t symbolCount_ = 0;
    uint64_t imageSize_ = 0;
};

}  // namespace

const void* loadNativeObject(std::span<const uint8_t> bytes, std::string_view entry, const SymbolResolver& resolve,
                             std::string& why) {
    return Linker(bytes, resolve, why).load(entry);
}

}  // namespace nido::vm
