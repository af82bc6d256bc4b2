// objects.js -- an object-heavy benchmark: shapes of several classes move around a
// 1000 x 1000 field, random points are tested against every shape through virtual
// calls, and the hits are folded into an integer checksum.
"use strict";

class Shape {
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }
  weight() { return this.area() % 97 + 1; }
  move(dx, dy) {
    this.x = (this.x + dx + 1000) % 1000;
    this.y = (this.y + dy + 1000) % 1000;
  }
}

class Circle extends Shape {
  constructor(x, y, r) {
    super(x, y);
    this.r = r;
  }
  contains(px, py) {
    const dx = px - this.x;
    const dy = py - this.y;
    return dx * dx + dy * dy <= this.r * this.r;
  }
  area() { return 3 * this.r * this.r; }
  step() { this.move(3, 1); }
}

class Ring extends Circle {
  constructor(x, y, r, inner) {
    super(x, y, r);
    this.inner = inner;
  }
  contains(px, py) {
    if (!super.contains(px, py)) return false;
    const dx = px - this.x;
    const dy = py - this.y;
    return dx * dx + dy * dy >= this.inner * this.inner;
  }
  area() { return super.area() - 3 * this.inner * this.inner; }
  step() {
    super.step();
    this.move(-1, -1);
  }
}

class Rect extends Shape {
  constructor(x, y, w, h) {
    super(x, y);
    this.w = w;
    this.h = h;
  }
  contains(px, py) {
    return px >= this.x && px < this.x + this.w && py >= this.y && py < this.y + this.h;
  }
  area() { return this.w * this.h; }
  step() { this.move(-2, 5); }
}

class Diamond extends Shape {
  constructor(x, y, r) {
    super(x, y);
    this.r = r;
  }
  contains(px, py) {
    return Math.abs(px - this.x) + Math.abs(py - this.y) <= this.r;
  }
  area() { return 2 * this.r * this.r; }
  step() { this.move(7, -4); }
}

let seed = 12345;
function rand(n) {
  // seed * 1664525 + 1013904223 < 2^53, so this is exact in doubles.
  seed = (seed * 1664525 + 1013904223) % 4294967296;
  return (seed >>> 8) % n;
}

function makeShape() {
  const t = rand(4);
  const x = rand(1000);
  const y = rand(1000);
  if (t === 0) return new Circle(x, y, 20 + rand(80));
  if (t === 1) {
    const w = 20 + rand(150);
    return new Rect(x, y, w, 20 + rand(150));
  }
  if (t === 2) return new Diamond(x, y, 20 + rand(100));
  const r = 30 + rand(70);
  return new Ring(x, y, r, 10 + rand(20));
}

function main() {
  const numShapes = 50;
  const rounds = 10000;
  const points = 20;
  const shapes = [];
  for (let i = 0; i < numShapes; i++) shapes.push(makeShape());
  let hits = 0;
  let checksum = 0;
  for (let round = 0; round < rounds; round++) {
    const idx = rand(numShapes);
    shapes[idx] = makeShape();
    for (let k = 0; k < points; k++) {
      const px = rand(1000);
      const py = rand(1000);
      for (const s of shapes) {
        if (s.contains(px, py)) {
          hits++;
          checksum = (checksum * 31 + s.weight()) % 1000000007;
        }
      }
    }
    for (const s of shapes) s.step();
  }
  console.log(`hits ${hits} checksum ${checksum}`);
}

main();
