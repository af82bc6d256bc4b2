// Line diff by longest common subsequence (see text_diff.hpp).
#include "vm/text_diff.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <fmt/format.h>

namespace nido::vm {
namespace {

// The LCS table grows with the product of the line counts: past this the
// diff is not "cheap" and is left out.
constexpr size_t kMaxCells = 4'000'000;
constexpr size_t kMaxBytes = 256 * 1024;

std::vector<std::string_view> splitLines(std::string_view text) {
    std::vector<std::string_view> lines;
    size_t i = 0;
    while (i < text.size()) {
        size_t j = text.find('\n', i);
        if (j == std::string_view::npos) j = text.size();
        lines.push_back(text.substr(i, j - i));
        i = j + 1;
    }
    return lines;
}

// "start,count" as unified diffs write it (start is the line before an
// empty range).
std::string range(size_t start, size_t count) { return fmt::format("{},{}", count ? start + 1 : start, count); }

}  // namespace

std::optional<std::string> lineDiff(std::string_view before, std::string_view after) {
    if (before.size() > kMaxBytes || after.size() > kMaxBytes) return std::nullopt;
    if (before.find('\0') != std::string_view::npos || after.find('\0') != std::string_view::npos) return std::nullopt;
    std::vector<std::string_view> a = splitLines(before), b = splitLines(after);
    size_t n = a.size(), m = b.size();
    if ((n + 1) * (m + 1) > kMaxCells) return std::nullopt;
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;) {
        for (size_t j = m; j-- > 0;) {
            at(i, j) = a[i] == b[j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
        }
    }
    std::string out;
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) {
            i++, j++;
            continue;
        }
        size_t i0 = i, j0 = j;  // a hunk: until the next common line
        while ((i < n || j < m) && !(i < n && j < m && a[i] == b[j])) {
            if (j < m && (i == n || at(i, j + 1) >= at(i + 1, j))) {
                j++;
            } else {
                i++;
            }
        }
        out += fmt::format("@@ -{} +{} @@\n", range(i0, i - i0), range(j0, j - j0));
        for (size_t k = i0; k < i; k++) out += fmt::format("-{}\n", a[k]);
        for (size_t k = j0; k < j; k++) out += fmt::format("+{}\n", b[k]);
    }
    return out;
}

}  // namespace nido::vm
