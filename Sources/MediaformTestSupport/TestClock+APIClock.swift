import MediaformKit

extension TestClock: APIClock {}
