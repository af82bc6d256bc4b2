// Writes through a null pointer: the run must end with one line naming a
// page fault at address 0x0 and status 1.
int main(void) {
    volatile int* p = 0;
    *p = 42;
    return 0;
}
