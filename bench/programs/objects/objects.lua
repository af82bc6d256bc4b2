-- objects.lua -- an object-heavy benchmark: shapes of several classes move around a
-- 1000 x 1000 field, random points are tested against every shape through virtual
-- calls, and the hits are folded into an integer checksum.

local Shape = {}
Shape.__index = Shape

function Shape.init(o, x, y)
  o.x = x
  o.y = y
  return o
end

function Shape:weight() return self:area() % 97 + 1 end

function Shape:move(dx, dy)
  self.x = (self.x + dx + 1000) % 1000
  self.y = (self.y + dy + 1000) % 1000
end

local Circle = setmetatable({}, { __index = Shape })
Circle.__index = Circle

function Circle.new(x, y, r)
  local o = Shape.init(setmetatable({}, Circle), x, y)
  o.r = r
  return o
end

function Circle:contains(px, py)
  local dx = px - self.x
  local dy = py - self.y
  return dx * dx + dy * dy <= self.r * self.r
end

function Circle:area() return 3 * self.r * self.r end
function Circle:step() self:move(3, 1) end

local Ring = setmetatable({}, { __index = Circle })
Ring.__index = Ring

function Ring.new(x, y, r, inner)
  local o = setmetatable(Circle.new(x, y, r), Ring)
  o.inner = inner
  return o
end

function Ring:contains(px, py)
  if not Circle.contains(self, px, py) then return false end
  local dx = px - self.x
  local dy = py - self.y
  return dx * dx + dy * dy >= self.inner * self.inner
end

function Ring:area() return Circle.area(self) - 3 * self.inner * self.inner end

function Ring:step()
  Circle.step(self)
  self:move(-1, -1)
end

local Rect = setmetatable({}, { __index = Shape })
Rect.__index = Rect

function Rect.new(x, y, w, h)
  local o = Shape.init(setmetatable({}, Rect), x, y)
  o.w = w
  o.h = h
  return o
end

function Rect:contains(px, py)
  local x, y = self.x, self.y
  return px >= x and px < x + self.w and py >= y and py < y + self.h
end

function Rect:area() return self.w * self.h end
function Rect:step() self:move(-2, 5) end

local Diamond = setmetatable({}, { __index = Shape })
Diamond.__index = Diamond

function Diamond.new(x, y, r)
  local o = Shape.init(setmetatable({}, Diamond), x, y)
  o.r = r
  return o
end

function Diamond:contains(px, py)
  return math.abs(px - self.x) + math.abs(py - self.y) <= self.r
end

function Diamond:area() return 2 * self.r * self.r end
function Diamond:step() self:move(7, -4) end

local seed = 12345
local function rand(n)
  seed = (seed * 1664525 + 1013904223) % 4294967296
  return (seed >> 8) % n
end

local function makeShape()
  local t = rand(4)
  local x = rand(1000)
  local y = rand(1000)
  if t == 0 then return Circle.new(x, y, 20 + rand(80)) end
  if t == 1 then
    local w = 20 + rand(150)
    return Rect.new(x, y, w, 20 + rand(150))
  end
  if t == 2 then return Diamond.new(x, y, 20 + rand(100)) end
  local r = 30 + rand(70)
  return Ring.new(x, y, r, 10 + rand(20))
end

local numShapes = 50
local rounds = 10000
local points = 20
local shapes = {}
for i = 1, numShapes do shapes[i] = makeShape() end
local hits = 0
local checksum = 0
for round = 1, rounds do
  local idx = rand(numShapes) + 1
  shapes[idx] = makeShape()
  for k = 1, points do
    local px = rand(1000)
    local py = rand(1000)
    for i = 1, numShapes do
      local s = shapes[i]
      if s:contains(px, py) then
        hits = hits + 1
        checksum = (checksum * 31 + s:weight()) % 1000000007
      end
    end
  end
  for i = 1, numShapes do shapes[i]:step() end
end
print(string.format("hits %d checksum %d", hits, checksum))
