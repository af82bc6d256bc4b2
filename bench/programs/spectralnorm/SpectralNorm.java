// The Computer Language Benchmarks Game spectral-norm.
public class SpectralNorm {
    static double a(long i, long j) {
        long ij = i + j;
        return 1.0 / (double) (ij * (ij + 1) / 2 + i + 1);
    }

    static void multiplyAv(int n, double[] v, double[] av) {
        for (int i = 0; i < n; i++) {
            double sum = 0.0;
            for (int j = 0; j < n; j++) sum += a(i, j) * v[j];
            av[i] = sum;
        }
    }

    static void multiplyAtv(int n, double[] v, double[] atv) {
        for (int i = 0; i < n; i++) {
            double sum = 0.0;
            for (int j = 0; j < n; j++) sum += a(j, i) * v[j];
            atv[i] = sum;
        }
    }

    static void multiplyAtAv(int n, double[] v, double[] out, double[] tmp) {
        multiplyAv(n, v, tmp);
        multiplyAtv(n, tmp, out);
    }

    public static void main(String[] args) {
        int n = 800;
        double[] u = new double[n];
        double[] v = new double[n];
        double[] tmp = new double[n];
        java.util.Arrays.fill(u, 1.0);
        for (int i = 0; i < 10; i++) {
            multiplyAtAv(n, u, v, tmp);
            multiplyAtAv(n, v, u, tmp);
        }
        double vBv = 0.0, vv = 0.0;
        for (int i = 0; i < n; i++) {
            vBv += u[i] * v[i];
            vv += v[i] * v[i];
        }
        System.out.println((long) (Math.sqrt(vBv / vv) * 1e9));
    }
}
