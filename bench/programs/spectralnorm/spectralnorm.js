// The Computer Language Benchmarks Game spectral-norm.
"use strict";
function A(i, j) {
  const ij = i + j;
  return 1.0 / ((ij * (ij + 1)) / 2 + i + 1);
}

function multiplyAv(n, v, av) {
  for (let i = 0; i < n; i++) {
    let sum = 0.0;
    for (let j = 0; j < n; j++) sum += A(i, j) * v[j];
    av[i] = sum;
  }
}

function multiplyAtv(n, v, atv) {
  for (let i = 0; i < n; i++) {
    let sum = 0.0;
    for (let j = 0; j < n; j++) sum += A(j, i) * v[j];
    atv[i] = sum;
  }
}

function multiplyAtAv(n, v, out, tmp) {
  multiplyAv(n, v, tmp);
  multiplyAtv(n, tmp, out);
}

const n = 800;
const u = new Float64Array(n).fill(1.0);
const v = new Float64Array(n);
const tmp = new Float64Array(n);
for (let i = 0; i < 10; i++) {
  multiplyAtAv(n, u, v, tmp);
  multiplyAtAv(n, v, u, tmp);
}
let vBv = 0.0, vv = 0.0;
for (let i = 0; i < n; i++) {
  vBv += u[i] * v[i];
  vv += v[i] * v[i];
}
console.log(String(Math.trunc(Math.sqrt(vBv / vv) * 1e9)));
