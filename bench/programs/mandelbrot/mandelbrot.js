// mandelbrot.js -- count the points of an N x N grid that stay in the Mandelbrot set.
"use strict";

function main() {
  const n = 1200;
  const maxIter = 50;
  let count = 0;
  for (let y = 0; y < n; y++) {
    const ci = 2.0 * y / n - 1.0;
    for (let x = 0; x < n; x++) {
      const cr = 2.0 * x / n - 1.5;
      let zr = 0.0, zi = 0.0;
      let inside = true;
      for (let i = 0; i < maxIter; i++) {
        const tr = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = tr;
        if (zr * zr + zi * zi > 4.0) {
          inside = false;
          break;
        }
      }
      if (inside) count++;
    }
  }
  console.log(`${n}x${n} grid, ${maxIter} iterations: ${count} points in the set`);
}

main();
