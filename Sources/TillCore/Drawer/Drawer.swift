/// The cash drawer (DESIGN §3 "Cash drawer and operators"): a session opens with a float and
/// closes with a count. Everything a report says is a fold over the session's journal, one
/// `DrawerEvent` per money movement at the counter, recorded in the same transaction as the
/// movement itself; nothing is kept as a running figure that could drift from it.
public struct DrawerEvent: Hashable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        /// The session opened; `amount` is the float.
        case opened
        /// An installment on an order; for cash, `change` was handed back from what was tendered.
        case sale
        /// Money given back from an installment, by where it went (`tender`: card, cash, store credit).
        case refund
        /// A card authorization voided: no money moved; counted for the report.
        case void
        case paidIn = "paid_in"
        case paidOut = "paid_out"
        /// The session closed; `amount` is the cash counted.
        case closed
    }

    public let kind: Kind
    /// Sales and refunds only: the tender the money came in or went back to.
    public let tender: Tender.Kind?
    /// Never negative: the direction is the kind's.
    public let amount: Money
    /// Cash sales only: the change given (what was tendered is `amount + change`).
    public let change: Money
    public let operatorName: OperatorName
    public let at: Instant

    public init(
        kind: Kind, tender: Tender.Kind? = nil, amount: Money, change: Money? = nil, operatorName: OperatorName, at: Instant
    ) {
        self.kind = kind
        self.tender = tender
        self.amount = amount
        self.change = change ?? .zero(amount.currency)
        self.operatorName = operatorName
        self.at = at
    }

    /// Whether this line moves notes and coins in or out of the drawer.
    public var movesCash: Bool {
        switch kind {
        case .sale, .refund: tender == .cash
        case .paidIn, .paidOut: true
        case .opened, .closed, .void: false
        }
    }
}

/// A reason for paying cash in or out: 1 to 200 printable characters after trimming
/// (`invalid_reason`), so the journal says why the drawer moved.
public enum DrawerReason {
    public static let maximumLength = 200

    public static func parse(_ raw: String) -> Result<String, Rejection> {
        let reason = raw.trimmingBlanks().canonical
        guard !reason.isEmpty, reason.count <= maximumLength, reason.isPrintable else {
            return .failure(Rejection(
                .invalidReason, "A reason has 1 to \(maximumLength) characters and no control characters, not \(raw.echoed())."))
        }
        return .success(reason)
    }
}

/// The figures of a stretch of the journal, in minor units of one currency. Takings follow
/// `Takings.net`, the one rule the dashboard uses too: store credit redeemed is not new money
/// (it was taken when the credit was sold) and refunds to store credit give no money back, so
/// both are shown apart and never counted in takings.
public struct DrawerFigures: Hashable, Sendable, Codable {
    /// Cash handed over for sales (before change).
    public private(set) var cashTendered: Int64 = 0
    public private(set) var changeGiven: Int64 = 0
    public private(set) var cashRefunds: Int64 = 0
    public private(set) var paidIn: Int64 = 0
    public private(set) var paidOut: Int64 = 0
    public private(set) var cardSales: Int64 = 0
    public private(set) var cardRefunds: Int64 = 0
    public private(set) var storeCreditRedeemed: Int64 = 0
    /// Refunds given as store credit (from any tender): a liability, not money out.
    public private(set) var storeCreditRefunds: Int64 = 0
    /// What the voided card authorizations had held.
    public private(set) var voided: Int64 = 0
    public private(set) var sales = 0
    public private(set) var refunds = 0
    public private(set) var voids = 0
    public private(set) var payIns = 0
    public private(set) var payOuts = 0
    public private(set) var cashSales = 0
    public private(set) var cardSalesCount = 0
    public private(set) var storeCreditSales = 0

    public init() {}

    /// Cash kept from sales: tendered less change.
    public var cashTaken: Int64 { cashTendered &- changeGiven }

    /// `Takings.net` over these figures (it fits: `add` checked it when the figures were added up).
    public var takings: Int64 { netTakings ?? 0 }

    private var netTakings: Int64? {
        Takings.net(card: cardSales, cash: cashTaken, refundedToCard: cardRefunds, refundedInCash: cashRefunds)
    }

    /// Net cash these lines put in the drawer: cash taken − cash refunds + paid in − paid out.
    public var cashMovement: Int64 { cashTaken &- cashRefunds &+ paidIn &- paidOut }

    /// Adds one journal line; `amount_too_large` if any figure (or one derived from them) would overflow.
    public mutating func add(_ event: DrawerEvent) -> Result<Void, Rejection> {
        var next = self
        let amount = event.amount.minorUnits
        // The figure a line adds its amount to, and the counts it adds one to.
        let line: (figure: WritableKeyPath<DrawerFigures, Int64>, amount: Int64, counts: [WritableKeyPath<DrawerFigures, Int>])
        switch (event.kind, event.tender) {
        case (.sale, .cash?):
            // What was handed over is added up, and the change given apart.
            guard let tendered = plus(amount, event.change.minorUnits),
                  let change = plus(next.changeGiven, event.change.minorUnits) else { return Self.tooLarge }
            next.changeGiven = change
            line = (\.cashTendered, tendered, [\.cashSales, \.sales])
        case (.sale, .card?): line = (\.cardSales, amount, [\.cardSalesCount, \.sales])
        case (.sale, .storeCredit?): line = (\.storeCreditRedeemed, amount, [\.storeCreditSales, \.sales])
        case (.refund, .cash?): line = (\.cashRefunds, amount, [\.refunds])
        case (.refund, .card?): line = (\.cardRefunds, amount, [\.refunds])
        case (.refund, .storeCredit?): line = (\.storeCreditRefunds, amount, [\.refunds])
        case (.void, _): line = (\.voided, amount, [\.voids])
        case (.paidIn, _): line = (\.paidIn, amount, [\.payIns])
        case (.paidOut, _): line = (\.paidOut, amount, [\.payOuts])
        case (.opened, _), (.closed, _):
            return .success(())
        case (.sale, nil), (.refund, nil):
            return .failure(Rejection(.invalidEvent, "A sale or refund in the drawer's journal has no tender."))
        }
        guard let total = plus(next[keyPath: line.figure], line.amount) else { return Self.tooLarge }
        next[keyPath: line.figure] = total
        for count in line.counts { next[keyPath: count] += 1 }
        // The derived figures must fit too, so reading them never wraps.
        guard let taken = minus(next.cashTendered, next.changeGiven), next.netTakings != nil,
              let lessRefunds = minus(taken, next.cashRefunds), let plusIn = plus(lessRefunds, next.paidIn),
              minus(plusIn, next.paidOut) != nil
        else { return Self.tooLarge }
        self = next
        return .success(())
    }

    static let tooLarge: Result<Void, Rejection> = .failure(Rejection(.amountTooLarge, "The drawer's figures are too large to add up."))
}

/// A drawer session as its journal leaves it.
public struct DrawerSession: Hashable, Sendable {
    public enum State: String, Sendable {
        case open, closed
    }

    public let id: String
    public let currency: Currency
    public let float: Money
    public let openedAt: Instant
    public let openedBy: OperatorName
    public private(set) var closedAt: Instant?
    public private(set) var closedBy: OperatorName?
    public private(set) var counted: Money?
    public private(set) var figures = DrawerFigures()

    public var state: State { counted == nil ? .open : .closed }

    /// Expected cash in the drawer = float + cash taken (after change) − cash refunds + paid in − paid out.
    public var expected: Money { Money(minorUnits: float.minorUnits &+ figures.cashMovement, currency: currency) }

    /// Counted − expected: positive over, negative short; nil while open.
    public var difference: Money? {
        counted.map { Money(minorUnits: $0.minorUnits &- expected.minorUnits, currency: currency) }
    }

    /// A new session with its float (zero allowed: a drawer may start empty).
    public static func open(id: String, float: Money, by operatorName: OperatorName, at now: Instant) -> DrawerSession {
        DrawerSession(id: id, currency: float.currency, float: float, openedAt: now, openedBy: operatorName)
    }

    /// An open session as its read model keeps it: the figures its journal added up to, so a
    /// new line is checked against them instead of the whole journal again (the ledger's audit
    /// compares them with the fold).
    public static func resuming(
        id: String, float: Money, openedAt: Instant, openedBy: OperatorName, figures: DrawerFigures
    ) -> DrawerSession {
        var session = open(id: id, float: float, by: openedBy, at: openedAt)
        session.figures = figures
        return session
    }

    /// Folds a session's journal (its `opened` line first) through the rules: one opening, lines
    /// in the session's currency, nothing after the close; `expected` and `difference` must fit.
    public static func fold(id: String, journal: [DrawerEvent]) -> Result<DrawerSession, Rejection> {
        guard let first = journal.first, first.kind == .opened else {
            return .failure(Rejection(.invalidEvent, "Drawer session \(id.echoed()) does not start with its opening."))
        }
        var session = open(id: id, float: first.amount, by: first.operatorName, at: first.at)
        for event in journal.dropFirst() {
            if case .failure(let rejection) = session.applying(event).map({ session = $0 }) { return .failure(rejection) }
        }
        return .success(session)
    }

    /// The session with one more journal line: `drawer_not_open` after the close,
    /// `currency_mismatch` for another currency, `amount_too_large` when a figure would overflow.
    public func applying(_ event: DrawerEvent) -> Result<DrawerSession, Rejection> {
        guard state == .open else { return .failure(Rejection(.drawerNotOpen, "Drawer session \(id) is closed.")) }
        if case .failure(let rejection) = event.amount.require(currency: currency, of: "This drawer") { return .failure(rejection) }
        guard event.amount.minorUnits >= 0, event.change.minorUnits >= 0, event.kind != .opened else {
            return .failure(Rejection(.invalidEvent, "The drawer's journal holds a line that does not fit its session."))
        }
        var next = self
        if case .failure(let rejection) = next.figures.add(event) { return .failure(rejection) }
        guard plus(float.minorUnits, next.figures.cashMovement) != nil else {
            return .failure(Rejection(.amountTooLarge, "The drawer's expected cash is too large."))
        }
        if event.kind == .closed {
            guard minus(event.amount.minorUnits, next.expected.minorUnits) != nil else {
                return .failure(Rejection(.amountTooLarge, "The counted cash is too far from the expected."))
            }
            next.counted = event.amount
            next.closedAt = event.at
            next.closedBy = event.operatorName
        }
        return .success(next)
    }
}

/// An X or Z report: the session's figures overall and by operator, and what moved in its
/// currency while no drawer was open since the previous close (shown apart: never part of
/// `expected`, never lost). With no session (an X report when no drawer is open), only the
/// movements outside any session.
public struct DrawerReport: Hashable, Sendable {
    /// One operator's share of the lines.
    public struct ByOperator: Hashable, Sendable {
        public let name: OperatorName
        public let figures: DrawerFigures
    }

    public let currency: Currency
    public let session: DrawerSession?
    /// Lines of this session, by operator (in the order of their case-folded names).
    public let byOperator: [ByOperator]
    /// Movements with no drawer open, since the close before this session (or since the last close).
    public let outside: DrawerFigures
    public let outsideByOperator: [ByOperator]

    /// The report of a session (nil: none open) from its journal and the lines outside any session.
    public static func make(
        currency: Currency, sessionId: String?, journal: [DrawerEvent], outside outsideLines: [DrawerEvent]
    ) -> Result<DrawerReport, Rejection> {
        var session: DrawerSession?
        if let sessionId {
            switch DrawerSession.fold(id: sessionId, journal: journal) {
            case .success(let folded): session = folded
            case .failure(let rejection): return .failure(rejection)
            }
        }
        let lines = sessionId == nil ? [] : Array(journal.dropFirst())
        var outside = DrawerFigures()
        for line in outsideLines {
            guard line.amount.currency == currency, line.kind != .opened, line.kind != .closed else {
                return .failure(Rejection(.invalidEvent, "A line outside any drawer does not fit the report."))
            }
            if case .failure(let rejection) = outside.add(line) { return .failure(rejection) }
        }
        switch (byOperator(lines), byOperator(outsideLines)) {
        case (.success(let inside), .success(let apart)):
            return .success(DrawerReport(
                currency: currency, session: session, byOperator: inside, outside: outside, outsideByOperator: apart))
        case (.failure(let rejection), _), (_, .failure(let rejection)):
            return .failure(rejection)
        }
    }

    static func byOperator(_ lines: [DrawerEvent]) -> Result<[ByOperator], Rejection> {
        var figures: [String: (name: OperatorName, figures: DrawerFigures)] = [:]
        for line in lines where line.kind != .closed {
            var entry = figures[line.operatorName.key] ?? (line.operatorName, DrawerFigures())
            if case .failure(let rejection) = entry.figures.add(line) { return .failure(rejection) }
            figures[line.operatorName.key] = entry
        }
        return .success(figures.sorted { $0.key < $1.key }.map { ByOperator(name: $0.value.name, figures: $0.value.figures) })
    }
}
