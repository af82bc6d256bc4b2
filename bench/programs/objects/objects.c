/* objects.c -- an object-heavy benchmark: shapes of several classes move around a
 * 1000 x 1000 field, random points are tested against every shape through virtual
 * calls (function-pointer vtables), and the hits are folded into an integer checksum. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct Shape Shape;

typedef struct {
    int (*contains)(const Shape *, long, long);
    long (*area)(const Shape *);
    void (*step)(Shape *);
} VTable;

struct Shape {
    const VTable *vt;
    long x, y;
};

static long weight(const Shape *s) { return s->vt->area(s) % 97 + 1; }

static void move(Shape *s, long dx, long dy) {
    s->x = (s->x + dx + 1000) % 1000;
    s->y = (s->y + dy + 1000) % 1000;
}

/* Circle */
typedef struct { Shape base; long r; } Circle;

static int circleContains(const Shape *s, long px, long py) {
    const Circle *c = (const Circle *)s;
    long dx = px - s->x, dy = py - s->y;
    return dx * dx + dy * dy <= c->r * c->r;
}
static long circleArea(const Shape *s) { const Circle *c = (const Circle *)s; return 3 * c->r * c->r; }
static void circleStep(Shape *s) { move(s, 3, 1); }
static const VTable circleVt = {circleContains, circleArea, circleStep};

/* Ring extends Circle */
typedef struct { Circle base; long inner; } Ring;

static int ringContains(const Shape *s, long px, long py) {
    const Ring *r = (const Ring *)s;
    if (!circleContains(s, px, py)) return 0;
    long dx = px - s->x, dy = py - s->y;
    return dx * dx + dy * dy >= r->inner * r->inner;
}
static long ringArea(const Shape *s) { const Ring *r = (const Ring *)s; return circleArea(s) - 3 * r->inner * r->inner; }
static void ringStep(Shape *s) { circleStep(s); move(s, -1, -1); }
static const VTable ringVt = {ringContains, ringArea, ringStep};

/* Rect */
typedef struct { Shape base; long w, h; } Rect;

static int rectContains(const Shape *s, long px, long py) {
    const Rect *r = (const Rect *)s;
    return px >= s->x && px < s->x + r->w && py >= s->y && py < s->y + r->h;
}
static long rectArea(const Shape *s) { const Rect *r = (const Rect *)s; return r->w * r->h; }
static void rectStep(Shape *s) { move(s, -2, 5); }
static const VTable rectVt = {rectContains, rectArea, rectStep};

/* Diamond */
typedef struct { Shape base; long r; } Diamond;

static int diamondContains(const Shape *s, long px, long py) {
    const Diamond *d = (const Diamond *)s;
    return labs(px - s->x) + labs(py - s->y) <= d->r;
}
static long diamondArea(const Shape *s) { const Diamond *d = (const Diamond *)s; return 2 * d->r * d->r; }
static void diamondStep(Shape *s) { move(s, 7, -4); }
static const VTable diamondVt = {diamondContains, diamondArea, diamondStep};

static uint64_t seed = 12345;

static long rnd(long n) {
    seed = (seed * 1664525u + 1013904223u) % 4294967296u;
    return (long)((seed >> 8) % (uint64_t)n);
}

static Shape *makeShape(void) {
    long t = rnd(4);
    long x = rnd(1000);
    long y = rnd(1000);
    if (t == 0) {
        Circle *c = malloc(sizeof *c);
        c->base = (Shape){&circleVt, x, y};
        c->r = 20 + rnd(80);
        return &c->base;
    }
    if (t == 1) {
        Rect *r = malloc(sizeof *r);
        r->base = (Shape){&rectVt, x, y};
        r->w = 20 + rnd(150);
        r->h = 20 + rnd(150);
        return &r->base;
    }
    if (t == 2) {
        Diamond *d = malloc(sizeof *d);
        d->base = (Shape){&diamondVt, x, y};
        d->r = 20 + rnd(100);
        return &d->base;
    }
    Ring *g = malloc(sizeof *g);
    g->base.base = (Shape){&ringVt, x, y};
    g->base.r = 30 + rnd(70);
    g->inner = 10 + rnd(20);
    return &g->base.base;
}

int main(void) {
    enum { numShapes = 50 };
    int rounds = 10000;
    int points = 20;
    Shape *shapes[numShapes];
    for (int i = 0; i < numShapes; i++) shapes[i] = makeShape();
    long hits = 0;
    long checksum = 0;
    for (int round = 0; round < rounds; round++) {
        long idx = rnd(numShapes);
        free(shapes[idx]);
        shapes[idx] = makeShape();
        for (int k = 0; k < points; k++) {
            long px = rnd(1000);
            long py = rnd(1000);
            for (int i = 0; i < numShapes; i++) {
                Shape *s = shapes[i];
                if (s->vt->contains(s, px, py)) {
                    hits++;
                    checksum = (checksum * 31 + weight(s)) % 1000000007L;
                }
            }
        }
        for (int i = 0; i < numShapes; i++) shapes[i]->vt->step(shapes[i]);
    }
    for (int i = 0; i < numShapes; i++) free(shapes[i]);
    printf("hits %ld checksum %ld\n", hits, checksum);
    return 0;
}
