/* The Computer Language Benchmarks Game spectral-norm. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double A(long long i, long long j) {
    long long ij = i + j;
    return 1.0 / (double)(ij * (ij + 1) / 2 + i + 1);
}

static void multiply_av(int n, const double *v, double *av) {
    for (int i = 0; i < n; i++) {
        double sum = 0.0;
        for (int j = 0; j < n; j++) sum += A(i, j) * v[j];
        av[i] = sum;
    }
}

static void multiply_atv(int n, const double *v, double *atv) {
    for (int i = 0; i < n; i++) {
        double sum = 0.0;
        for (int j = 0; j < n; j++) sum += A(j, i) * v[j];
        atv[i] = sum;
    }
}

static void multiply_atav(int n, const double *v, double *out, double *tmp) {
    multiply_av(n, v, tmp);
    multiply_atv(n, tmp, out);
}

int main(void) {
    const int n = 800;
    double *u = malloc(n * sizeof(double));
    double *v = malloc(n * sizeof(double));
    double *tmp = malloc(n * sizeof(double));
    for (int i = 0; i < n; i++) { u[i] = 1.0; v[i] = 0.0; tmp[i] = 0.0; }
    for (int i = 0; i < 10; i++) {
        multiply_atav(n, u, v, tmp);
        multiply_atav(n, v, u, tmp);
    }
    double vBv = 0.0, vv = 0.0;
    for (int i = 0; i < n; i++) {
        vBv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    printf("%lld\n", (long long)(sqrt(vBv / vv) * 1e9));
    free(u); free(v); free(tmp);
    return 0;
}
