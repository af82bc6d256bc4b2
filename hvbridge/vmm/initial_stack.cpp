// Initial stack construction.
#include "initial_stack.hpp"

#include <elf.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstring>

#include "guest_layout.hpp"

namespace nido::hv::vmm {

uint64_t buildInitialStack(GuestMemory& memory, uint64_t top, const LoadedElf& elf,
                           const std::vector<std::string>& argv, const std::vector<std::string>& envp) {
    uint64_t stringBytes = 0;
    for (const std::string& a : argv) stringBytes += a.size() + 1 + 8;
    for (const std::string& e : envp) stringBytes += e.size() + 1 + 8;
    if (stringBytes > layout::kStackBytes / 4) return 0;
    uint64_t sp = top;
    auto pushBytes = [&](const void* data, size_t len) {
        sp -= len;
        std::memcpy(memory.user(sp, len), data, len);
        return sp;
    };
    auto pushString = [&](const std::string& s) { return pushBytes(s.c_str(), s.size() + 1); };

    uint8_t random[16];
    if (getrandom(random, sizeof random, 0) != sizeof random) std::memset(random, 0x5a, sizeof random);
    uint64_t randomAddr = pushBytes(random, sizeof random);
    uint64_t platform = pushString("x86_64");
    uint64_t execfn = pushString(argv.empty() ? std::string() : argv[0]);
    std::vector<uint64_t> argAddrs, envAddrs;
    for (const std::string& a : argv) argAddrs.push_back(pushString(a));
    for (const std::string& e : envp) envAddrs.push_back(pushString(e));

    const std::pair<uint64_t, uint64_t> aux[] = {
        {AT_PHDR, elf.phdr},     {AT_PHENT, elf.phent},   {AT_PHNUM, elf.phnum}, {AT_PAGESZ, 4096},
        {AT_ENTRY, elf.entry},   {AT_RANDOM, randomAddr}, {AT_UID, getuid()},    {AT_EUID, geteuid()},
        {AT_GID, getgid()},      {AT_EGID, getegid()},    {AT_SECURE, 0},        {AT_CLKTCK, 100},
        {AT_PLATFORM, platform}, {AT_EXECFN, execfn},     {AT_NULL, 0},
    };
    std::vector<uint64_t> words;
    words.push_back(argv.size());
    words.insert(words.end(), argAddrs.begin(), argAddrs.end());
    words.push_back(0);
    words.insert(words.end(), envAddrs.begin(), envAddrs.end());
    words.push_back(0);
    for (const auto& [key, value] : aux) words.push_back(key), words.push_back(value);

    sp &= ~uint64_t{15};
    if (words.size() % 2) sp -= 8;
    pushBytes(words.data(), words.size() * 8);
    return sp;
}

}  // namespace nido::hv::vmm
