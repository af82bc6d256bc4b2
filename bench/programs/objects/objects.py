# objects.py -- an object-heavy benchmark: shapes of several classes move around a
# 1000 x 1000 field, random points are tested against every shape through virtual
# calls, and the hits are folded into an integer checksum.


class Shape:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def contains(self, px, py):
        raise NotImplementedError

    def area(self):
        raise NotImplementedError

    def step(self):
        raise NotImplementedError

    def weight(self):
        return self.area() % 97 + 1

    def move(self, dx, dy):
        self.x = (self.x + dx + 1000) % 1000
        self.y = (self.y + dy + 1000) % 1000


class Circle(Shape):
    def __init__(self, x, y, r):
        super().__init__(x, y)
        self.r = r

    def contains(self, px, py):
        dx = px - self.x
        dy = py - self.y
        return dx * dx + dy * dy <= self.r * self.r

    def area(self):
        return 3 * self.r * self.r

    def step(self):
        self.move(3, 1)


class Ring(Circle):
    def __init__(self, x, y, r, inner):
        super().__init__(x, y, r)
        self.inner = inner

    def contains(self, px, py):
        if not super().contains(px, py):
            return False
        dx = px - self.x
        dy = py - self.y
        return dx * dx + dy * dy >= self.inner * self.inner

    def area(self):
        return super().area() - 3 * self.inner * self.inner

    def step(self):
        super().step()
        self.move(-1, -1)


class Rect(Shape):
    def __init__(self, x, y, w, h):
        super().__init__(x, y)
        self.w = w
        self.h = h

    def contains(self, px, py):
        return px >= self.x and px < self.x + self.w and py >= self.y and py < self.y + self.h

    def area(self):
        return self.w * self.h

    def step(self):
        self.move(-2, 5)


class Diamond(Shape):
    def __init__(self, x, y, r):
        super().__init__(x, y)
        self.r = r

    def contains(self, px, py):
        return abs(px - self.x) + abs(py - self.y) <= self.r

    def area(self):
        return 2 * self.r * self.r

    def step(self):
        self.move(7, -4)


seed = 12345


def rand(n):
    global seed
    seed = (seed * 1664525 + 1013904223) % 4294967296
    return (seed >> 8) % n


def make_shape():
    t = rand(4)
    x = rand(1000)
    y = rand(1000)
    if t == 0:
        return Circle(x, y, 20 + rand(80))
    if t == 1:
        w = 20 + rand(150)
        return Rect(x, y, w, 20 + rand(150))
    if t == 2:
        return Diamond(x, y, 20 + rand(100))
    r = 30 + rand(70)
    return Ring(x, y, r, 10 + rand(20))


def main():
    num_shapes = 50
    rounds = 10000
    points = 20
    shapes = [make_shape() for _ in range(num_shapes)]
    hits = 0
    checksum = 0
    for _ in range(rounds):
        idx = rand(num_shapes)
        shapes[idx] = make_shape()
        for _ in range(points):
            px = rand(1000)
            py = rand(1000)
            for s in shapes:
                if s.contains(px, py):
                    hits += 1
                    checksum = (checksum * 31 + s.weight()) % 1000000007
        for s in shapes:
            s.step()
    print("hits %d checksum %d" % (hits, checksum))


main()
