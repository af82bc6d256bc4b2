// Writes argv[2] into the file argv[1], reads it back and prints it.
#include <errno.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char** argv) {
    if (argc < 3) return 2;
    FILE* f = fopen(argv[1], "w");
    if (!f) {
        printf("cannot create %s: %s\n", argv[1], strerror(errno));
        return 3;
    }
    fputs(argv[2], f);
    fclose(f);
    char buffer[256] = {0};
    f = fopen(argv[1], "r");
    if (!f || !fgets(buffer, sizeof buffer, f)) return 4;
    printf("read back: %s\n", buffer);
    return 0;
}
