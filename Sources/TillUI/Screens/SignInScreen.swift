public import TillCore

/// Who is at the counter. With operators in the ledger the POS starts on the sign-in screen,
/// locks again after `lockAfter` seconds without a key (or on Ctrl-L), and every command it
/// sends acts as the operator signed in (the runner verifies the PIN and switches the service
/// it uses, in the same ordered lane as the commands). Without operators there is no screen:
/// the POS acts as the command line's operator (`--operator`, `TILL_OPERATOR`, else `till`).
public struct OperatorSession: Sendable, Equatable {
    /// Who the POS acts as now.
    public var current: OperatorName = .till
    /// Operators exist: the POS asks who is there, and may lock.
    public var signInRequired = false
    /// The sign-in screen while it is up: it covers everything and takes every key.
    public var signIn: SignInModel?
    /// Seconds without a key before the POS locks (one pulse a second); 0 never locks.
    public var lockAfter = OperatorSession.defaultLockAfter
    var idlePulses = 0
    /// Refused sign-ins in a row, and the seconds left before the next try is taken.
    var failures = 0
    var waitPulses = 0

    public static let defaultLockAfter = 300
    /// Refusals allowed before each further try waits: 5 s, then doubling, at most 5 minutes.
    static let freeTries = 5
    static let longestWait = 300

    public init() {}

    static func wait(afterFailures failures: Int) -> Int {
        guard failures >= freeTries else { return 0 }
        return min(longestWait, 5 << min(6, failures - freeTries))
    }
}

/// The sign-in form: a name and a PIN (shown as dots).
public struct SignInModel: Sendable, Equatable {
    public enum Focus: Sendable, Equatable { case name, pin }
    public var name = TextField(filter: .any, maxLength: OperatorName.maximumLength)
    public var pin = TextField(filter: .digits, maxLength: OperatorPIN.lengths.upperBound)
    public var focus = Focus.name
    public var error: String?
    /// Who was signed in when the POS locked: the work on screen is kept for them.
    public let lockedFrom: OperatorName?
    /// The PIN is being checked (slow on purpose): keys wait.
    public var checking = false

    init(lockedFrom: OperatorName?) { self.lockedFrom = lockedFrom }
}

extension POSState {
    /// Sets who the POS acts as before any sign-in, and whether it must ask (the runner knows
    /// whether the ledger has operators before the first frame).
    public mutating func startSession(as name: OperatorName, signInRequired: Bool, lockAfter: Int) {
        session.current = name
        session.signInRequired = signInRequired
        session.lockAfter = max(0, lockAfter)
        session.signIn = signInRequired ? SignInModel(lockedFrom: nil) : nil
    }

    /// Ctrl-L, or the idle time ran out: the sign-in screen covers everything, which stays as
    /// it was underneath (dialogs, typed fields; the card number and code are not drawn).
    mutating func lock() -> [POSEffect] {
        guard session.signInRequired else {
            message = .info("No operators, so nothing to lock: till operator add NAME turns sign-in on.")
            return []
        }
        guard session.signIn == nil else { return [] }
        session.signIn = SignInModel(lockedFrom: session.current)
        session.idlePulses = 0
        return []
    }

    /// A pulse: counts idle seconds (keys reset it) and the wait after refused sign-ins. An
    /// idle POS locks, unless a command is in flight; an idle sign-in screen forgets a
    /// half-typed PIN.
    mutating func idlePulse() {
        if session.waitPulses > 0 { session.waitPulses -= 1 }
        guard session.signInRequired, session.lockAfter > 0 else { return }
        session.idlePulses += 1
        guard session.idlePulses >= session.lockAfter else { return }
        if session.signIn != nil {
            // Back to the name: a PIN typed next must never land in the name field, in clear.
            session.signIn?.pin.set("")
            session.signIn?.focus = .name
        } else if busy == nil {
            _ = lock()
        }
    }

    /// Every key while the sign-in screen is up. Only Ctrl-C (earlier) and F10 leave it.
    mutating func handleSignInKey(_ key: Key) -> [POSEffect] {
        guard var form = session.signIn else { return [] }
        if key == .function(10) { return [.quit] }
        guard !form.checking else { return [] }
        var effects: [POSEffect] = []
        switch key {
        case .tab, .backTab, .up, .down:
            form.focus = form.focus == .name ? .pin : .name
        case .enter:
            effects = submitSignIn(&form)
        case .escape:
            form = SignInModel(lockedFrom: form.lockedFrom)
        case .character(let typed) where form.focus == .pin && !typed.isASCIIDigit:
            form.error = "A PIN is digits only: that key was not typed."
        case .character where form.focus == .pin && form.pin.text.count >= OperatorPIN.lengths.upperBound:
            form.error = "A PIN has at most \(OperatorPIN.lengths.upperBound) digits."
        case .character where form.focus == .name && form.name.text.count >= OperatorName.maximumLength:
            form.error = "A name has at most \(OperatorName.maximumLength) characters."
        default:
            form.error = nil
            if form.focus == .name { _ = form.name.handle(key) } else { _ = form.pin.handle(key) }
        }
        session.signIn = form
        return effects
    }

    private func submitSignIn(_ form: inout SignInModel) -> [POSEffect] {
        if form.focus == .name, form.pin.isEmpty, !form.name.isEmpty {
            form.focus = .pin
            return []
        }
        guard session.waitPulses == 0 else { return [] }
        guard !form.name.text.trimmingBlanks().isEmpty, !form.pin.isEmpty else {
            form.error = "Type your name and your PIN."
            return []
        }
        let effect = POSEffect.signIn(name: form.name.text, pin: form.pin.text)
        // The PIN leaves the state as soon as it is sent.
        form.pin.set("")
        form.checking = true
        form.error = nil
        return [effect]
    }

    /// The runner's answer to a sign-in. The same operator gets their screen back exactly as
    /// it was; anybody else gets a fresh one, so nothing another operator typed can be sent
    /// under their name.
    mutating func signInAnswered(_ answer: Result<OperatorName, Rejection>) -> [POSEffect] {
        guard var form = session.signIn, form.checking else { return [] }
        form.checking = false
        switch answer {
        case .failure(let rejection):
            if rejection.code == .unauthorized {
                session.failures += 1
                session.waitPulses = OperatorSession.wait(afterFailures: session.failures)
                form.error = rejection.message
            } else {
                form.error = "[\(rejection.code.rawValue)] \(rejection.message)"
            }
            form.focus = .pin
            session.signIn = form
            return []
        case .success(let name):
            let sameOperator = form.lockedFrom?.key == name.key
            var session = self.session
            session.signIn = nil
            session.current = name
            session.failures = 0
            session.waitPulses = 0
            session.idlePulses = 0
            if sameOperator {
                self.session = session
                message = .info("Welcome back, \(name.text).")
                return []
            }
            let kept = unansweredNote
            let next = freshForNextOperator()
            self = next
            // Seen with Swift 6.3.1: this whole-value assignment left `keyCounter` behind
            // (`self == next` was false right after it), so a new operator's form reused the
            // last one's keys. Set again: keys must never repeat (SignInTests checks it).
            keyCounter = next.keyCounter
            self.session = session
            message = kept.map { .error("Signed in as \(name.text). " + $0) }
                ?? .info("Signed in as \(name.text).")
            return reloadScreen()
        }
    }

    /// What the next operator must hear of: requests with no answer yet, kept for them.
    private var unansweredNote: String? {
        var kept: [String] = []
        if newOrder.payPending { kept.append("a create-and-pay for \(Format.fit(newOrder.email.text, 30)) (F3)") }
        if cards.unanswered != nil { kept.append("an authorization (F5, a)") }
        return kept.isEmpty ? nil
            : "Check before charging again: \(kept.joined(separator: " and ")) had no answer yet and may have gone through."
    }

    /// A POS as it starts, keeping the terminal, the clock and the key counter (keys are never
    /// reused) and the background resolution under way.
    private func freshForNextOperator() -> POSState {
        var fresh = POSState(
            width: width, height: height, now: now, utcOffsetSeconds: utcOffsetSeconds, databasePath: databasePath,
            keyPrefix: keyPrefix, defaultCurrency: defaultCurrency)
        fresh.keyCounter = keyCounter
        fresh.newOrder = fresh.freshNewOrder(currency: defaultCurrency)
        fresh.resolving = resolving
        // A request whose answer never came is no half-typed form: it may have charged the
        // customer. It stays, with its key (Enter learns the outcome, never charges again).
        if newOrder.payPending { fresh.newOrder = newOrder }
        fresh.cards.unanswered = cards.unanswered
        return fresh
    }

    // MARK: Drawing

    func renderSignIn(_ form: SignInModel, into buffer: inout CellBuffer) {
        buffer.write(String(repeating: " ", count: width), x: 0, y: 0, style: Theme.tab)
        buffer.write(" Till ", x: 0, y: 0, style: Theme.tab.bolded)
        buffer.writeRight("signed out ", right: width, y: 0, style: Theme.tab)
        let rect = openDialog(width: 60, height: 12, title: "Sign in", into: &buffer)
        let x = rect.x + 3
        let fieldWidth = rect.width - 15
        let intro = form.lockedFrom.map { Format.fit($0.text, 16) }.map { "Locked. \($0)'s work is kept for \($0)." }
            ?? "Who is at the counter?"
        buffer.write(intro, x: x, y: rect.y + 2, style: Theme.text, limit: rect.width - 6)
        buffer.write("Name", x: x, y: rect.y + 4, style: Theme.label)
        form.name.render(into: &buffer, x: x + 9, y: rect.y + 4, width: fieldWidth, focused: form.focus == .name)
        buffer.write("PIN", x: x, y: rect.y + 6, style: Theme.label)
        form.pin.render(
            into: &buffer, x: x + 9, y: rect.y + 6, width: fieldWidth, focused: form.focus == .pin,
            shown: String(repeating: "•", count: form.pin.text.count))
        if form.checking {
            buffer.write("Checking…", x: x, y: rect.y + 8, style: Theme.dim)
        } else if let error = form.error {
            buffer.write("! " + error, x: x, y: rect.y + 8, style: Theme.error, limit: rect.width - 6)
        }
        if session.waitPulses > 0, !form.checking {
            buffer.write("Too many refused tries: next try in \(session.waitPulses) s.", x: x, y: rect.y + 9, style: Theme.warning)
        }
        buffer.write("Enter sign in · Tab next field · Esc clear · F10 quit", x: x, y: rect.maxY - 2, style: Theme.dim, limit: rect.width - 6)
        let y = height - 2
        buffer.write(String(repeating: " ", count: width), x: 0, y: y, style: Theme.bar)
        buffer.write(" Sign in with your name and PIN", x: 0, y: y, style: Theme.bar, limit: width)
        // The status bar without the last message (it may tell of the work kept underneath) and
        // without a name: nobody is signed in.
        var quiet = self
        quiet.message = nil
        quiet.session = OperatorSession()
        quiet.renderStatus(into: &buffer)
    }
}
