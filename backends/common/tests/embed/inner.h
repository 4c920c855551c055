#ifndef INNER_H
#define INNER_H
#define INNER 2.0f
#endif
