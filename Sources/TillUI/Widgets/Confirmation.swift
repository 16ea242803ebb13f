/// The counter rule for a question that moves money or closes the day (DESIGN §8): only an
/// explicit y is a yes; n or Esc goes back; anything else, Enter included (pressed twice, or
/// early), is no answer and the question stays. Every confirmation asks this one rule.
enum ConfirmationAnswer {
    case yes
    case no
    case none

    init(_ key: Key) {
        switch key {
        case .character("y"), .character("Y"): self = .yes
        case .character("n"), .character("N"), .escape: self = .no
        default: self = .none
        }
    }
}
