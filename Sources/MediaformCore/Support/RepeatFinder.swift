/// Finds the items of a large collection that repeat an earlier item, from hashes computed beforehand (on every
/// core): one open-addressing table of indices, so a pass over 100,000 items neither hashes nor retains anything.
/// A `Dictionary` keyed by the values did both for every item, twice per plan (keys and sources: 10 % of the CPU
/// of a plan of 100,000 new assets).
enum RepeatFinder {
    /// Every item equal to an earlier one, in index order, with the first item it equals.
    /// - Parameters:
    ///   - hashes: one hash per item; equal items must have equal hashes (`hashValue` does).
    ///   - same: whether two items are equal; called only for items whose hashes are equal.
    static func repeats(hashes: [Int], same: (Int, Int) -> Bool) -> [(index: Int, first: Int)] {
        var found: [(index: Int, first: Int)] = []
        var capacity = 16
        while capacity < hashes.count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        var table = [Int32](repeating: -1, count: capacity)  // an item's index, or -1: empty
        hashes.withUnsafeBufferPointer { hashes in
            table.withUnsafeMutableBufferPointer { table in
                for index in hashes.indices {
                    let hash = hashes[index]
                    var slot = hash & mask
                    while true {
                        let held = Int(table[slot])
                        if held < 0 {
                            table[slot] = Int32(index)
                            break
                        }
                        if hashes[held] == hash && same(held, index) {
                            found.append((index, held))
                            break
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
        return found
    }
}
