# mandelbrot.py -- count the points of an N x N grid that stay in the Mandelbrot set.


def main():
    n = 1200
    max_iter = 50
    count = 0
    for y in range(n):
        ci = 2.0 * y / n - 1.0
        for x in range(n):
            cr = 2.0 * x / n - 1.5
            zr = 0.0
            zi = 0.0
            inside = True
            for _ in range(max_iter):
                tr = zr * zr - zi * zi + cr
                zi = 2.0 * zr * zi + ci
                zr = tr
                if zr * zr + zi * zi > 4.0:
                    inside = False
                    break
            if inside:
                count += 1
    print("%dx%d grid, %d iterations: %d points in the set" % (n, n, max_iter, count))


main()
