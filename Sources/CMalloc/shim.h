// glibc's allocator parameters (`mallopt`), which the Glibc module leaves out; empty elsewhere.
#if defined(__GLIBC__) || __has_include(<malloc.h>)
#include <malloc.h>
#endif
