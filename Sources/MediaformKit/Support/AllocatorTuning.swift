#if canImport(Glibc)
import CMalloc
#endif

/// How the process asks glibc's allocator to grow its heaps.
///
/// A state of 100,000 records is decoded on two threads, each allocating from its own arena. glibc grows such an
/// arena a few pages at a time, with one `mprotect` call each: 26,700 calls for one plan, about a sixth of its CPU
/// time in the kernel splitting and merging mappings (measured with `strace -c` and `perf`). Asking for 64 MiB of
/// headroom per growth (`M_TOP_PAD`) makes that 47 calls. Only address space is reserved: pages that are never
/// touched are never resident, so the peak memory stays as it was. (Setting it also fixes glibc's mmap threshold at
/// its default of 128 KiB instead of letting it rise; the plans measured made 98 `mmap` calls either way.)
public enum AllocatorTuning {
    /// Call first thing in `main`, before the threads that read the state start.
    public static func apply() {
        #if canImport(Glibc)
        _ = mallopt(M_TOP_PAD, 64 << 20)
        #endif
    }
}
