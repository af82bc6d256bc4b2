-- wordfreq.lua -- generate text with an LCG, split it into words, count them in a map
-- and print the ten most frequent words (by count, then alphabetically).
local WORDS = { "the", "of", "and", "to", "in", "a", "is", "that", "for", "it",
  "as", "was", "with", "be", "by", "on", "not", "he", "this", "are" }
local SUFFIXES = { "", "s", "ed", "ing", "ly" }

local seed = 12345
local function nextRand()
  seed = (seed * 1664525 + 1013904223) % 4294967296
  return seed >> 8
end

local n = 1500000
local perLine = 10

local lines = {}
local line = {}
for i = 1, n do
  local a = nextRand() % 20
  local b = nextRand() % (a + 1)
  local s = nextRand() % 5
  line[#line + 1] = WORDS[b + 1] .. SUFFIXES[s + 1]
  if #line == perLine then
    lines[#lines + 1] = table.concat(line, " ")
    line = {}
  end
end
if #line > 0 then lines[#lines + 1] = table.concat(line, " ") end
local text = table.concat(lines, "\n")

local counts = {}
local keys = {}
local total = 0
for l in text:gmatch("[^\n]+") do
  for w in l:gmatch("[^ ]+") do
    local c = counts[w]
    if c == nil then
      keys[#keys + 1] = w
      counts[w] = 1
    else
      counts[w] = c + 1
    end
    total = total + 1
  end
end

table.sort(keys, function(a, b)
  local ca, cb = counts[a], counts[b]
  if ca ~= cb then return ca > cb end
  return a < b
end)

print(string.format("%d bytes, %d words, %d distinct", #text, total, #keys))
for i = 1, math.min(10, #keys) do
  print(keys[i] .. " " .. counts[keys[i]])
end
