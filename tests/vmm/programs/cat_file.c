// Prints the file named by argv[1], or one line naming the error and status 3.
#include <errno.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char** argv) {
    if (argc < 2) return 2;
    FILE* f = fopen(argv[1], "r");
    if (!f) {
        printf("cannot open %s: %s\n", argv[1], strerror(errno));
        return 3;
    }
    char buffer[256];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, f)) > 0) fwrite(buffer, 1, n, stdout);
    fclose(f);
    return 0;
}
