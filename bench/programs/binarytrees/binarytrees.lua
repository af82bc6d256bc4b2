-- binarytrees.lua -- Benchmarks Game binary-trees.
local function bottomUp(depth)
  if depth <= 0 then return {} end
  depth = depth - 1
  return { bottomUp(depth), bottomUp(depth) }
end

local function check(n)
  if n[1] == nil then return 1 end
  return 1 + check(n[1]) + check(n[2])
end

local n = 15
local minDepth = 4
local maxDepth = math.max(minDepth + 2, n)
local stretch = maxDepth + 1
print(string.format("stretch tree of depth %d\t check: %d", stretch, check(bottomUp(stretch))))
local longLived = bottomUp(maxDepth)
for d = minDepth, maxDepth, 2 do
  local iterations = 1 << (maxDepth - d + minDepth)
  local sum = 0
  for i = 1, iterations do
    sum = sum + check(bottomUp(d))
  end
  print(string.format("%d\t trees of depth %d\t check: %d", iterations, d, sum))
end
print(string.format("long lived tree of depth %d\t check: %d", maxDepth, check(longLived)))
