// Mandelbrot.java -- count the points of an N x N grid that stay in the Mandelbrot set.
public class Mandelbrot {
    public static void main(String[] args) {
        int n = 1200;
        int maxIter = 50;
        long count = 0;
        for (int y = 0; y < n; y++) {
            double ci = 2.0 * y / n - 1.0;
            for (int x = 0; x < n; x++) {
                double cr = 2.0 * x / n - 1.5;
                double zr = 0.0, zi = 0.0;
                boolean inside = true;
                for (int i = 0; i < maxIter; i++) {
                    double tr = zr * zr - zi * zi + cr;
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
        System.out.println(n + "x" + n + " grid, " + maxIter + " iterations: " + count + " points in the set");
    }
}
