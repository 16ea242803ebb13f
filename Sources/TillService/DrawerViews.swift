public import TillCore

/// An X or Z report as the CLI's JSON and the screens show it (DESIGN §5 "drawer report"):
/// integer minor units in the report's `currency`. Every figure is read off the core's fold
/// (`DrawerReport`); nothing is added up here.
public struct DrawerReportView: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case x, z
    }

    /// `x` (the open session so far) or `z` (a closed session, final).
    public let report: Kind
    /// The session's id; absent when no drawer is open (an X report of what moved outside any session).
    public let session: String?
    /// `open`, `closed`, or `no_session`.
    public let state: String
    public let currency: String
    public let float: Int64
    /// Cash handed over for sales, before change.
    public let cashSales: Int64
    public let changeGiven: Int64
    public let cashRefunds: Int64
    public let paidIn: Int64
    public let paidOut: Int64
    /// Float + cash sales − change − cash refunds + paid in − paid out.
    public let expected: Int64
    public let counted: Int64?
    /// Counted − expected: positive over, negative short.
    public let difference: Int64?
    /// Card + cash after change − refunds to card or cash. Store credit is apart.
    public let takings: Int64
    public let storeCreditRedeemed: Int64
    public let storeCreditRefunds: Int64
    /// By `Tender.Kind` raw value; read it with `tender(_:)`.
    public let byTender: [String: DrawerTenderView]
    public let voids: DrawerVoidsView
    public let counts: DrawerCountsView
    /// By operator key (the name case-folded); each entry names the operator as typed.
    public let byOperator: [String: DrawerFiguresView]
    /// What moved in this currency while no drawer was open, since the close before this
    /// session: shown apart, never in `expected`.
    public let outsideSession: DrawerFiguresView
    public let openedAt: String?
    public let openedBy: String?
    public let closedAt: String?
    public let closedBy: String?

    public init(_ report: DrawerReport, kind: Kind) {
        let session = report.session
        let figures = session?.figures ?? DrawerFigures()
        self.report = kind
        self.session = session?.id
        state = session?.state.rawValue ?? "no_session"
        currency = report.currency.code
        float = session?.float.minorUnits ?? 0
        cashSales = figures.cashTendered
        changeGiven = figures.changeGiven
        cashRefunds = figures.cashRefunds
        paidIn = figures.paidIn
        paidOut = figures.paidOut
        expected = session?.expected.minorUnits ?? 0
        counted = session?.counted?.minorUnits
        difference = session?.difference?.minorUnits
        takings = figures.takings
        storeCreditRedeemed = figures.storeCreditRedeemed
        storeCreditRefunds = figures.storeCreditRefunds
        byTender = DrawerTenderView.byTender(figures)
        voids = DrawerVoidsView(count: figures.voids, amount: figures.voided)
        counts = DrawerCountsView(
            sales: figures.sales, refunds: figures.refunds, voids: figures.voids, payIns: figures.payIns, payOuts: figures.payOuts)
        byOperator = Dictionary(uniqueKeysWithValues: report.byOperator.map { ($0.name.key, DrawerFiguresView.of($0.figures, name: $0.name.text)) })
        outsideSession = DrawerFiguresView.of(report.outside, name: nil)
        openedAt = session.map { Timestamp.iso8601($0.openedAt) }
        openedBy = session?.openedBy.text
        closedAt = session?.closedAt.map(Timestamp.iso8601)
        closedBy = session?.closedBy?.text
    }

    /// One tender's figures (a JSON object keyed by the tender's wire name, so screens ask by kind).
    public func tender(_ kind: Tender.Kind) -> DrawerTenderView? { byTender[kind.rawValue] }
}

/// One tender's sales and refunds (cash: taken after change; store credit: redeemed, and
/// refunds given as store credit).
public struct DrawerTenderView: Codable, Sendable, Equatable {
    public let sales: Int
    public let taken: Int64
    public let refunded: Int64

    static func byTender(_ figures: DrawerFigures) -> [String: DrawerTenderView] {
        [
            Tender.Kind.card.rawValue: DrawerTenderView(sales: figures.cardSalesCount, taken: figures.cardSales, refunded: figures.cardRefunds),
            Tender.Kind.cash.rawValue: DrawerTenderView(sales: figures.cashSales, taken: figures.cashTaken, refunded: figures.cashRefunds),
            Tender.Kind.storeCredit.rawValue: DrawerTenderView(
                sales: figures.storeCreditSales, taken: figures.storeCreditRedeemed, refunded: figures.storeCreditRefunds),
        ]
    }
}

public struct DrawerVoidsView: Codable, Sendable, Equatable {
    public let count: Int
    /// What the voided authorizations had held.
    public let amount: Int64
}

public struct DrawerCountsView: Codable, Sendable, Equatable {
    public let sales: Int
    public let refunds: Int
    public let voids: Int
    public let payIns: Int
    public let payOuts: Int
}

/// A stretch of the journal's figures: one operator's, or what moved outside any session.
public struct DrawerFiguresView: Codable, Sendable, Equatable {
    /// The operator as typed (absent for the lines outside any session).
    public let name: String?
    public let sales: Int
    public let refunds: Int
    public let takings: Int64
    public let card: Int64
    /// Cash kept from sales (after change).
    public let cash: Int64
    public let storeCredit: Int64
    public let cardRefunds: Int64
    public let cashRefunds: Int64
    public let storeCreditRefunds: Int64
    public let paidIn: Int64
    public let paidOut: Int64
    /// Net cash these lines put in the drawer (or would have, for lines outside any session).
    public let cashMovement: Int64
    public let voids: Int

    /// The view of one stretch's figures, under the JSON's names.
    static func of(_ figures: DrawerFigures, name: String?) -> DrawerFiguresView {
        DrawerFiguresView(
            name: name, sales: figures.sales, refunds: figures.refunds, takings: figures.takings,
            card: figures.cardSales, cash: figures.cashTaken, storeCredit: figures.storeCreditRedeemed,
            cardRefunds: figures.cardRefunds, cashRefunds: figures.cashRefunds, storeCreditRefunds: figures.storeCreditRefunds,
            paidIn: figures.paidIn, paidOut: figures.paidOut, cashMovement: figures.cashMovement, voids: figures.voids)
    }
}

/// A cash pay-in or pay-out: the session it moved, and the drawer's expected cash after it.
public struct DrawerMovementView: Codable, Sendable, Equatable {
    public let session: String
    /// `paid_in` or `paid_out`.
    public let kind: String
    public let currency: String
    public let amount: Int64
    public let reason: String
    public let expected: Int64
    public let `operator`: String
    public let at: String
}

/// A session in a list.
public struct DrawerSessionView: Codable, Sendable, Equatable {
    public let id: String
    public let currency: String
    public let state: String
    public let float: Int64
    public let expected: Int64
    public let counted: Int64?
    public let difference: Int64?
    public let openedAt: String
    public let openedBy: String
    public let closedAt: String?

    init(_ session: DrawerSession) {
        id = session.id
        currency = session.currency.code
        state = session.state.rawValue
        float = session.float.minorUnits
        expected = session.expected.minorUnits
        counted = session.counted?.minorUnits
        difference = session.difference?.minorUnits
        openedAt = Timestamp.iso8601(session.openedAt)
        openedBy = session.openedBy.text
        closedAt = session.closedAt.map(Timestamp.iso8601)
    }
}
