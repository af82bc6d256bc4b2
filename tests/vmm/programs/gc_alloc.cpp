// Allocates about 100 MB through Boehm's GC_MALLOC in linked lists that are
// dropped and rebuilt, so the collector runs many times; prints the count.
#include <gc.h>
#include <cstdio>
struct Node {
    Node* next;
    long value[6];
};
int main() {
    GC_INIT();
    long total = 0;
    Node* keep = nullptr;
    for (int round = 0; round < 48; ++round) {
        Node* list = nullptr;
        for (int i = 0; i < 40000; ++i) {
            Node* n = static_cast<Node*>(GC_MALLOC(sizeof(Node)));
            n->next = list;
            n->value[0] = i;
            list = n;
            total += sizeof(Node);
        }
        if (round % 10 == 0) keep = list;
    }
    long kept = 0;
    for (Node* n = keep; n; n = n->next) ++kept;
    std::printf("allocated %ld MB, kept %ld, collections %lu\n", total >> 20, kept, (unsigned long)GC_get_gc_no());
    return 0;
}
