-- mandelbrot.lua -- count the points of an N x N grid that stay in the Mandelbrot set.
local n = 1200
local maxIter = 50
local count = 0
for y = 0, n - 1 do
  local ci = 2.0 * y / n - 1.0
  for x = 0, n - 1 do
    local cr = 2.0 * x / n - 1.5
    local zr, zi = 0.0, 0.0
    local inside = true
    for i = 1, maxIter do
      local tr = zr * zr - zi * zi + cr
      zi = 2.0 * zr * zi + ci
      zr = tr
      if zr * zr + zi * zi > 4.0 then
        inside = false
        break
      end
    end
    if inside then count = count + 1 end
  end
end
print(string.format("%dx%d grid, %d iterations: %d points in the set", n, n, maxIter, count))
