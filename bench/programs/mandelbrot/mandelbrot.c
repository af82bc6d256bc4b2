/* mandelbrot.c -- count the points of an N x N grid that stay in the Mandelbrot set. */
#include <stdio.h>

int main(void) {
    int n = 1200;
    int maxIter = 50;
    long count = 0;
    for (int y = 0; y < n; y++) {
        double ci = 2.0 * y / n - 1.0;
        for (int x = 0; x < n; x++) {
            double cr = 2.0 * x / n - 1.5;
            double zr = 0.0, zi = 0.0;
            int inside = 1;
            for (int i = 0; i < maxIter; i++) {
                double tr = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = tr;
                if (zr * zr + zi * zi > 4.0) {
                    inside = 0;
                    break;
                }
            }
            if (inside) count++;
        }
    }
    printf("%dx%d grid, %d iterations: %ld points in the set\n", n, n, maxIter, count);
    return 0;
}
