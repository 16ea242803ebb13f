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

extension ConfirmationAnswer {
    /// The "y / n" step of a form that asks before it sends. `confirming` is the form's flag:
    /// y clears it and sends, n clears it (back to the form). Any other key: nil, and the flag
    /// stays, so the form can remind the operator what to press.
    static func settle(_ key: Key, confirming: inout Bool, send: () -> [POSEffect]) -> [POSEffect]? {
        switch ConfirmationAnswer(key) {
        case .yes:
            confirming = false
            return send()
        case .no:
            confirming = false
            return []
        case .none:
            return nil
        }
    }
}
