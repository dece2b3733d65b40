/// A value kept in one shared box, copied only when changed while shared: a copy of the holder is one reference,
/// whatever the value holds. `Asset` and `AssetRecord` keep their fields so: they are copied wherever they are
/// planned, rendered, checked or digested, and copying twenty fields one reference at a time was a large share of a
/// plan of 100,000 assets (and a dictionary of a million records reserved two million inline slots).
struct CopyOnWrite<Value: Sendable>: Sendable {
    private final class Box: @unchecked Sendable {
        // @unchecked: changed only through `value`'s `_modify`, when this box has one owner. For the same reason
        // accesses need no run-time exclusivity check: a read of a shared box never overlaps a change (a change
        // copies a shared box first), and each check was a call into the runtime on every field read.
        @exclusivity(unchecked) var value: Value

        init(_ value: Value) {
            self.value = value
        }
    }

    private var box: Box

    init(_ value: Value) {
        box = Box(value)
    }

    /// Read in place; a change to a shared box changes a copy of it first.
    var value: Value {
        _read { yield box.value }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
            yield &box.value
        }
    }
}

extension CopyOnWrite: Equatable where Value: Equatable {
    static func == (a: Self, b: Self) -> Bool {
        a.box === b.box || a.box.value == b.box.value
    }
}
