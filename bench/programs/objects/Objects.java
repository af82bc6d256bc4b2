// Objects.java -- an object-heavy benchmark: shapes of several classes move around a
// 1000 x 1000 field, random points are tested against every shape through virtual
// calls, and the hits are folded into an integer checksum.
public class Objects {
    abstract static class Shape {
        long x, y;
        Shape(long x, long y) { this.x = x; this.y = y; }
        abstract boolean contains(long px, long py);
        abstract long area();
        abstract void step();
        long weight() { return area() % 97 + 1; }
        void move(long dx, long dy) {
            x = (x + dx + 1000) % 1000;
            y = (y + dy + 1000) % 1000;
        }
    }

    static class Circle extends Shape {
        long r;
        Circle(long x, long y, long r) { super(x, y); this.r = r; }
        @Override boolean contains(long px, long py) {
            long dx = px - x, dy = py - y;
            return dx * dx + dy * dy <= r * r;
        }
        @Override long area() { return 3 * r * r; }
        @Override void step() { move(3, 1); }
    }

    static final class Ring extends Circle {
        long inner;
        Ring(long x, long y, long r, long inner) { super(x, y, r); this.inner = inner; }
        @Override boolean contains(long px, long py) {
            if (!super.contains(px, py)) return false;
            long dx = px - x, dy = py - y;
            return dx * dx + dy * dy >= inner * inner;
        }
        @Override long area() { return super.area() - 3 * inner * inner; }
        @Override void step() { super.step(); move(-1, -1); }
    }

    static final class Rect extends Shape {
        long w, h;
        Rect(long x, long y, long w, long h) { super(x, y); this.w = w; this.h = h; }
        @Override boolean contains(long px, long py) {
            return px >= x && px < x + w && py >= y && py < y + h;
        }
        @Override long area() { return w * h; }
        @Override void step() { move(-2, 5); }
    }

    static final class Diamond extends Shape {
        long r;
        Diamond(long x, long y, long r) { super(x, y); this.r = r; }
        @Override boolean contains(long px, long py) {
            return Math.abs(px - x) + Math.abs(py - y) <= r;
        }
        @Override long area() { return 2 * r * r; }
        @Override void step() { move(7, -4); }
    }

    static long seed = 12345;

    static long rand(long n) {
        seed = (seed * 1664525L + 1013904223L) % 4294967296L;
        return (seed >> 8) % n;
    }

    static Shape makeShape() {
        long t = rand(4);
        long x = rand(1000);
        long y = rand(1000);
        if (t == 0) return new Circle(x, y, 20 + rand(80));
        if (t == 1) {
            long w = 20 + rand(150);
            return new Rect(x, y, w, 20 + rand(150));
        }
        if (t == 2) return new Diamond(x, y, 20 + rand(100));
        long r = 30 + rand(70);
        return new Ring(x, y, r, 10 + rand(20));
    }

    public static void main(String[] args) {
        int numShapes = 50;
        int rounds = 10000;
        int points = 20;
        Shape[] shapes = new Shape[numShapes];
        for (int i = 0; i < numShapes; i++) shapes[i] = makeShape();
        long hits = 0;
        long checksum = 0;
        for (int round = 0; round < rounds; round++) {
            int idx = (int) rand(numShapes);
            shapes[idx] = makeShape();
            for (int k = 0; k < points; k++) {
                long px = rand(1000);
                long py = rand(1000);
                for (Shape s : shapes) {
                    if (s.contains(px, py)) {
                        hits++;
                        checksum = (checksum * 31 + s.weight()) % 1000000007L;
                    }
                }
            }
            for (Shape s : shapes) s.step();
        }
        System.out.println("hits " + hits + " checksum " + checksum);
    }
}
