// Executes ud2: the run must end with "invalid opcode" and status 1.
int main(void) {
    __asm__ volatile("ud2");
    return 0;
}
