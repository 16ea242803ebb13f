import TillService

/// A dialog that takes keys while it is on top (see `POSState.handleOverlay`).
protocol OverlayDialog {
    var closed: Bool { get }
    /// What the last request answered when it was refused, shown in the dialog.
    var error: String? { get set }
    mutating func handle(_ key: Key, state: inout POSState) -> [POSEffect]
}

extension OverlayDialog {
    /// The same dialog showing why its request was refused.
    func saying(_ error: String) -> Self {
        var copy = self
        copy.error = error
        return copy
    }
}

/// A form whose fields make one request: Escape closes it, Enter checks the fields and sends
/// the request, or first asks "y / n" when `asksFirst` (then only `y` sends). The keys that edit
/// its fields are its own.
protocol FormDialog: OverlayDialog {
    var closed: Bool { get set }
    /// Waiting for y / n before sending.
    var confirming: Bool { get set }
    var asksFirst: Bool { get }
    /// The request the fields make now, or the first field that is wrong.
    func request(state: POSState) -> Result<ServiceRequest, FieldProblem>
    /// Shows what is wrong (nil: nothing; the last error goes too).
    mutating func show(_ problem: FieldProblem?)
    /// A key other than y or n came while asking.
    mutating func remindToConfirm()
}

extension FormDialog {
    var confirming: Bool {
        get { false }
        set {}
    }
    var asksFirst: Bool { false }
    mutating func remindToConfirm() {}

    /// Escape, Enter and the y / n step; nil for a key the form's own fields take.
    mutating func handleFormKey(_ key: Key, state: inout POSState) -> [POSEffect]? {
        if confirming {
            let ready = try? request(state: state).get()
            if let effects = ConfirmationAnswer.settle(key, confirming: &confirming, send: { ready.map { state.submit($0) } ?? [] }) {
                return effects
            }
            remindToConfirm()
            return []
        }
        switch key {
        case .escape:
            closed = true
            return []
        case .enter:
            switch request(state: state) {
            case .failure(let problem):
                show(problem)
                return []
            case .success(let request):
                show(nil)
                if asksFirst {
                    confirming = true
                    return []
                }
                return state.submit(request)
            }
        default:
            return nil
        }
    }
}

/// A form of text fields, one focused, whose problem points at a field: Tab and the arrows
/// move the focus round its `fields`, other keys edit the focused one (editing the field a
/// problem names clears it); a problem takes the focus to its field.
protocol FieldsForm: FormDialog {
    /// In focus order.
    static var fields: [WritableKeyPath<Self, TextField>] { get }
    var focus: Int { get set }
    var problem: FieldProblem? { get set }
}

extension FieldsForm {
    mutating func show(_ found: FieldProblem?) {
        problem = found
        if let found { focus = found.field } else { error = nil }
    }

    mutating func handle(_ key: Key, state: inout POSState) -> [POSEffect] {
        if let effects = handleFormKey(key, state: &state) { return effects }
        let count = Self.fields.count
        switch key {
        case .tab, .down: focus = (focus + 1) % count
        case .backTab, .up: focus = (focus + count - 1) % count
        default:
            if let field = Self.fields[safe: focus], self[keyPath: field].handle(key), problem?.field == focus { problem = nil }
        }
        return []
    }
}

extension PaymentDialog: OverlayDialog {}
extension AmountDialog: FormDialog {}
extension AuthorizeDialog: FieldsForm {}
extension OpenWalletDialog: FieldsForm {}
extension DrawerDialog: FormDialog {}
