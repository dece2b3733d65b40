import Dispatch
import Foundation
import MediaformKit

/// Ctrl-C / SIGTERM: the first sets the stop flag (no new call is dispatched; calls in flight finish and the state
/// is saved), the second exits at once with 130 (the journal is consistent after every record).
final class SignalHandler {
    private let sources: [any DispatchSourceSignal]

    init(stop: StopFlag) {
        var made: [any DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if stop.isSet {
                    Console.note("\nmediaform: exiting now; the journal is consistent and the next apply resumes.")
                    _exit(130)
                }
                stop.set()
                Console.note(
                    "\nmediaform: stopping: no new calls; waiting for calls in flight, then saving the state "
                        + "(Ctrl-C again exits at once)")
            }
            source.resume()
            made.append(source)
        }
        self.sources = made
    }

    func cancel() {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
